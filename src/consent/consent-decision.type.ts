import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { RequiresScopes } from '../graphql/auth-checker';
import { CONSENTS_PERSONAL } from '../oauth';
import type { Disclosure } from '../profiles/disclosure';
import { Connection } from '../graphql/connection';
import type { ConsentDecisionRecord } from './consent-decision.repository';

/**
 * A consent decision as the API shows it. Who agreed to share what with which site (`username`,
 * `realm`, `grantedFields`) needs `consents.personal` on top of `consents:read`, as profile fields
 * need `profile.<field>`; the decision itself and its times resolve without it. For a person whose
 * processing is restricted they are null for every caller (profiles/disclosure.ts).
 */
// Simple resolvers, as Profile's: a page of profiles carries a few of these per row. Scopes still apply (RequiresScopes).
@ObjectType('ConsentDecision', { description: 'A user\'s answer on the consent page for one relying party.', simpleResolvers: true })
export class ConsentDecisionType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => ID, { description: 'The customer the user belongs to.' })
  customerId!: string;

  @RequiresScopes(CONSENTS_PERSONAL)
  @Field(() => String, { nullable: true, description: 'The AW\'s username. Needs `consents.personal`; null while the user is restricted.' })
  username!: string | null;

  @RequiresScopes(CONSENTS_PERSONAL)
  @Field(() => String, { nullable: true, description: 'The relying party\'s realm. Needs `consents.personal`; null while the user is restricted.' })
  realm!: string | null;

  @Field(() => String, { description: 'ALLOW or DENY.' })
  decision!: string;

  @RequiresScopes(CONSENTS_PERSONAL)
  @Field(() => [String], { nullable: true, description: 'Profile fields the user agreed to share (sreg names). Needs `consents.personal`; null while the user is restricted.' })
  grantedFields!: string[] | null;

  @Field(() => Boolean, { description: 'Whether it answers later sign-ins to the same realm without asking.' })
  isRemembered!: boolean;

  @Field(() => Date, { description: 'When the user decided.' })
  decidedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it was revoked; null while in force.' })
  revokedAt!: Date | null;

  /** `shown` is the disclosure rule's answer for the decision's user: without `activity`, who, where and what stay null. The record's username is opened. */
  static fromRecord(d: ConsentDecisionRecord, shown: Disclosure): ConsentDecisionType {
    return Object.assign(new ConsentDecisionType(), {
      id: d.id,
      customerId: d.customerId,
      username: shown.activity ? d.username : null,
      realm: shown.activity ? d.realm : null,
      decision: d.decision,
      grantedFields: shown.activity ? [...d.grantedFields] : null,
      isRemembered: d.isRemembered,
      decidedAt: d.decidedAt,
      revokedAt: d.revokedAt,
    });
  }
}

@ObjectType('ConsentDecisionConnection', { description: 'A page of consent decisions, newest first.' })
export class ConsentDecisionConnection extends Connection(ConsentDecisionType) {}

@ObjectType('RevokeConsentDecisionPayload', { description: 'Result of revokeConsentDecision.' })
export class RevokeConsentDecisionPayload {
  @Field(() => ConsentDecisionType, { description: 'The decision, now revoked.' })
  consentDecision!: ConsentDecisionType;
}

@InputType('ConsentDecisionFilter', { description: 'Which consent decisions to list.' })
export class ConsentDecisionFilterInput {
  @Field(() => String, { nullable: true, description: 'Only this user\'s decisions (exact only: matched by the username\'s keyed hash; never a restricted one\'s). Needs `consents.personal`.' })
  username?: string | null;

  @Field(() => String, { nullable: true, description: 'Only decisions for this realm (exact). Needs `consents.personal`.' })
  realm?: string | null;
}
