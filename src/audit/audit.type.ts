import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { RequiresScopes } from '../graphql/auth-checker';
// The scope's own file: the oauth feature's index imports audit, so importing it would close a circle.
import { AUDIT_PERSONAL } from '../oauth/scopes';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Connection } from '../graphql/connection';
import { ActorKind } from './actor';
import { AuditEntry } from './audit.service';

registerEnumType(ActorKind, { name: 'ActorKind', description: 'Who caused an audited change.' });

@ObjectType('AuditFieldChange', { description: 'One personal field changed by an audited event. Its values need the field\'s `profile.<field>` scope.' })
export class AuditFieldChangeType {
  @Field(() => String, { description: 'The profile field (sreg name).' })
  field!: string;

  /** Read through AuditFieldChangeResolver, which checks the field's scope. */
  oldValue!: string | null;
  newValue!: string | null;
}

@ObjectType('AuditEvent', { description: 'One event of a customer\'s tamper-evident audit trail.' })
export class AuditEventType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => ID, { nullable: true, description: 'The customer whose chain holds it; null for platform-wide events.' })
  customerId!: string | null;

  @Field(() => Int, { description: 'Position in its chain, from 1.' })
  seq!: number;

  @Field(() => Date, { description: 'When the change happened.' })
  occurredAt!: Date;

  @Field(() => Date, { description: 'When the audit worker chained it.' })
  recordedAt!: Date;

  @Field(() => ActorKind, { description: 'What kind of caller made the change.' })
  actorKind!: ActorKind;

  @Field(() => String, { description: 'Which one: an operator token or client id, a customer slug, a job.' })
  actorId!: string;

  @Field(() => String, { description: 'What happened, such as `profile.updated` or `consent.revoked`.' })
  action!: string;

  @Field(() => String, { description: 'The kind of thing it happened to, such as `profile`.' })
  targetType!: string;

  @Field(() => String, { nullable: true, description: 'Its id.' })
  targetId!: string | null;

  @RequiresScopes(AUDIT_PERSONAL)
  @Field(() => String, { nullable: true, description: 'The AW username it is about; null when none or erased. Needs `audit.personal`.' })
  subject!: string | null;

  @Field(() => [String], { description: 'Names of the personal fields it changed.' })
  fields!: string[];

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Facts that are not personal data (scopes, client ids, settings changed).' })
  details!: Record<string, unknown> | null;

  @Field(() => Boolean, { description: 'Whether its personal values were erased (the chain still verifies).' })
  isErased!: boolean;

  @Field(() => [AuditFieldChangeType], { description: 'The personal values changed; empty when erased.' })
  changes!: AuditFieldChangeType[];

  static from(entry: AuditEntry): AuditEventType {
    const { event, payload } = entry;
    return Object.assign(new AuditEventType(), {
      id: event.id,
      customerId: event.customer?.id ?? null,
      seq: Number(event.seq),
      occurredAt: event.occurredAt,
      recordedAt: event.recordedAt,
      actorKind: event.actorKind as ActorKind,
      actorId: event.actorId,
      action: event.action,
      targetType: event.targetType,
      targetId: event.targetId,
      subject: payload?.subject ?? null,
      fields: [...event.fields],
      details: event.details,
      isErased: event.payloadDigest !== null && payload === null,
      changes: Object.entries(payload?.changes ?? {})
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([field, change]) =>
        Object.assign(new AuditFieldChangeType(), { field, oldValue: change.old, newValue: change.new }),
      ),
    });
  }
}

@ObjectType('AuditEventConnection', { description: 'A page of audit events, newest first.' })
export class AuditEventConnection extends Connection(AuditEventType) {}

@InputType('AuditEventFilter', { description: 'Which audit events to list.' })
export class AuditEventFilterInput {
  @Field(() => ID, { nullable: true, description: 'Only this customer\'s chain (a customer\'s caller always sees only its own).' })
  customerId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only events about this AW username (needs the customer, and `audit.personal`).' })
  subject?: string | null;

  @Field(() => String, { nullable: true, description: 'Only events caused by this actor id.' })
  actor?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this action, such as `profile.updated`.' })
  action?: string | null;

  @Field(() => Date, { nullable: true, description: 'Only events at or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only events before this time.' })
  to?: Date | null;
}

@ObjectType('AuditChainVerification', { description: 'The result of recomputing an audit chain from its first link.' })
export class AuditChainVerificationType {
  @Field(() => Boolean, { description: 'Whether every link verified.' })
  ok!: boolean;

  @Field(() => Int, { description: 'Links that verified before the answer.' })
  eventsChecked!: number;

  @Field(() => ID, { nullable: true, description: 'The first event that does not verify.' })
  brokenEventId!: string | null;

  @Field(() => Int, { nullable: true, description: 'Its position in the chain.' })
  brokenSeq!: number | null;

  @Field(() => String, { nullable: true, description: '`digest` (the event was altered), `previous` or `sequence` (links removed or reordered), `payload` (personal values altered).' })
  reason!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The region whose chain this is (a platform chain is one per region); for the platform\'s answer over several regions, the first broken one\'s, else null. Null for a customer\'s chain, which is in Customer.region.',
  })
  region!: string | null;

  @Field(() => [AuditChainVerificationType], { description: 'The platform chain\'s answer per region served (one entry for a customer\'s chain or a one-region deployment).' })
  regions!: AuditChainVerificationType[];
}
