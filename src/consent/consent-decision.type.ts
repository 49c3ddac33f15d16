import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Connection } from '../graphql/connection';
import { ConsentDecision } from './consent-decision.entity';

@ObjectType('ConsentDecision', { description: 'A user\'s answer on the consent page for one relying party.' })
export class ConsentDecisionType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => ID, { description: 'The customer the user belongs to.' })
  customerId!: string;

  @Field(() => String, { description: 'The AW\'s username.' })
  username!: string;

  @Field(() => String, { description: 'The relying party\'s realm.' })
  realm!: string;

  @Field(() => String, { description: 'ALLOW or DENY.' })
  decision!: string;

  @Field(() => [String], { description: 'Profile fields the user agreed to share (sreg names).' })
  grantedFields!: string[];

  @Field(() => Boolean, { description: 'Whether it answers later sign-ins to the same realm without asking.' })
  isRemembered!: boolean;

  @Field(() => Date, { description: 'When the user decided.' })
  decidedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it was revoked; null while in force.' })
  revokedAt!: Date | null;

  static from(d: ConsentDecision): ConsentDecisionType {
    return Object.assign(new ConsentDecisionType(), {
      id: d.id,
      customerId: d.customer.id,
      username: d.username,
      realm: d.realm,
      decision: d.decision,
      grantedFields: [...d.grantedFields],
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
  @Field(() => String, { nullable: true, description: 'Only this user\'s decisions.' })
  username?: string | null;

  @Field(() => String, { nullable: true, description: 'Only decisions for this realm (exact).' })
  realm?: string | null;
}
