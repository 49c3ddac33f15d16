import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';

/**
 * Audit events waiting to be chained: written in the same transaction as the change they describe
 * (so none is lost, and none exists for a change that rolled back), moved to `audit_event` by the
 * audit worker, then purged. `payload` holds the personal values (the username, old and new
 * values) until they are moved to `audit_payload`.
 */
@Entity({ tableName: 'audit_outbox' })
@Index({ name: 'audit_outbox_pending_index', properties: ['id'], expression: 'create index "audit_outbox_pending_index" on "audit_outbox" ("id") where "audited_at" is null' })
@Index({ name: 'audit_outbox_undispatched_index', properties: ['id'], expression: 'create index "audit_outbox_undispatched_index" on "audit_outbox" ("id") where "dispatched_at" is null' })
// Serves the retention purge of moved rows (audit-outbox.repository.ts).
@Index({
  name: 'audit_outbox_moved_index',
  properties: ['auditedAt'],
  expression: 'create index "audit_outbox_moved_index" on "audit_outbox" ("audited_at") where "audited_at" is not null',
})
export class AuditOutbox {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Customer, { nullable: true, deleteRule: 'cascade', updateRule: 'cascade', index: 'audit_outbox_customer_id_index' })
  customer: Customer | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  occurredAt!: Date;

  @Property({ type: 'string', length: 16 })
  actorKind!: string;

  @Property({ type: 'string', length: 255 })
  actorId!: string;

  @Property({ type: 'string', length: 64 })
  action!: string;

  @Property({ type: 'string', length: 32 })
  targetType!: string;

  @Property({ type: 'string', length: 255, nullable: true })
  targetId: string | null = null;

  @Index({ name: 'audit_outbox_subject_hash_index' })
  @Property({ type: 'string', length: 64, nullable: true })
  subjectHash: string | null = null;

  @Property({ type: 'text[]', columnType: 'text[]', default: '{}' })
  fields: string[] = [];

  @Property({ type: 'json', nullable: true })
  details: Record<string, unknown> | null = null;

  @Property({ type: 'json', nullable: true })
  payload: Record<string, unknown> | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  auditedAt: Date | null = null;

  /** When the webhook dispatcher turned it into deliveries (or found no endpoint wanting it). */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  dispatchedAt: Date | null = null;

  /** The W3C traceparent of the span that wrote it, when tracing was on (set by the column's default; see the AuditTraceParent migration). */
  @Property({ type: 'text', columnType: 'text', nullable: true, defaultRaw: 'ids_trace_parent()' })
  traceParent: string | null = null;
}

/** One link of a customer's audit chain (see chain.ts). Written only by the audit worker. */
@Entity({ tableName: 'audit_event' })
@Unique({ properties: ['chain', 'seq'], name: 'audit_event_chain_seq_unique' })
@Index({ properties: ['customer', 'occurredAt', 'id'], name: 'audit_event_customer_occurred_index' })
export class AuditEvent {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** The customer's id, or `platform` for events that belong to no customer. */
  @Property({ type: 'string', length: 36 })
  chain!: string;

  @Property({ type: 'bigint' })
  seq!: string;

  @ManyToOne(() => Customer, { nullable: true, deleteRule: 'cascade', updateRule: 'cascade', index: 'audit_event_customer_id_index' })
  customer: Customer | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  occurredAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  recordedAt!: Date;

  @Property({ type: 'string', length: 16 })
  actorKind!: string;

  @Property({ type: 'string', length: 255 })
  actorId!: string;

  @Property({ type: 'string', length: 64 })
  action!: string;

  @Property({ type: 'string', length: 32 })
  targetType!: string;

  @Property({ type: 'string', length: 255, nullable: true })
  targetId: string | null = null;

  @Index({ name: 'audit_event_subject_hash_index' })
  @Property({ type: 'string', length: 64, nullable: true })
  subjectHash: string | null = null;

  @Property({ type: 'text[]', columnType: 'text[]', default: '{}' })
  fields: string[] = [];

  @Property({ type: 'json', nullable: true })
  details: Record<string, unknown> | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  payloadDigest: string | null = null;

  @Property({ type: 'string', length: 64 })
  prevDigest!: string;

  @Property({ type: 'string', length: 64 })
  digest!: string;
}

/** The personal values of one audit event, kept apart so that erasure can remove them alone. */
@Entity({ tableName: 'audit_payload' })
// Payloads stored before encryption at rest (not yet `{ key, box }`): what the upgrade seals (audit-drain.ts).
@Index({
  name: 'audit_payload_unsealed_index',
  properties: ['event'],
  expression: `create index "audit_payload_unsealed_index" on "audit_payload" ("event_id") where ("data" ->> 'box') is null`,
})
export class AuditPayload {
  @ManyToOne(() => AuditEvent, { primary: true, deleteRule: 'cascade', updateRule: 'cascade' })
  event!: AuditEvent;

  @ManyToOne(() => Customer, { nullable: true, deleteRule: 'cascade', updateRule: 'cascade', index: 'audit_payload_customer_id_index' })
  customer: Customer | null = null;

  @Index({ name: 'audit_payload_subject_hash_index' })
  @Property({ type: 'string', length: 64, nullable: true })
  subjectHash: string | null = null;

  @Property({ type: 'json' })
  data!: Record<string, unknown>;
}
