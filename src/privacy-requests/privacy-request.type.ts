import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../graphql/connection';
import { PrivacyRequestChannel, PrivacyRequestKind, PrivacyRequestStatus } from './privacy-request.entity';
import type { PrivacyRequestRecord } from './privacy-request.record';

registerEnumType(PrivacyRequestKind, {
  name: 'PrivacyRequestKind',
  description: 'What a person asked for in their privacy center.',
  valuesConfig: {
    EXPORT: { description: 'A copy of their data (access, GDPR art. 15), built by the export worker.' },
    RECTIFICATION: { description: 'Corrected attributes (art. 16); `fields` names them.' },
    RESTRICTION: { description: 'Processing restricted or the restriction lifted (art. 18); `isRestricted` says which.' },
    DELETION: { description: 'Erasure (art. 17), through a deletion request.' },
    OBJECTION: { description: 'An objection to processing (art. 21) on `grounds`, for the customer to decide.' },
  },
});
registerEnumType(PrivacyRequestStatus, {
  name: 'PrivacyRequestStatus',
  description: 'Where a privacy request stands.',
  valuesConfig: {
    PENDING_REVIEW: { description: 'Waiting for the customer to approve or decline it.' },
    IN_PROGRESS: { description: 'Being answered (an export being built, an erasure running).' },
    COMPLETED: { description: 'Answered; `outcome` says how.' },
    DECLINED: { description: 'Declined by the customer; `outcome` gives the reason.' },
  },
});
registerEnumType(PrivacyRequestChannel, {
  name: 'PrivacyRequestChannel',
  description: 'Where a privacy request came in.',
  valuesConfig: { PRIVACY_CENTER: { description: 'The person\'s own page, `/c/{slug}/account`.' } },
});

@ObjectType('PrivacyRequest', {
  description: 'A data subject\'s request (export, rectification, restriction, deletion, objection), due 30 days after it came in. It holds no personal value.',
})
export class PrivacyRequestType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => ID, { description: 'The customer the person belongs to.' })
  customerId!: string;

  @Field(() => PrivacyRequestKind, { description: 'What the person asked for.' })
  kind!: PrivacyRequestKind;

  @Field(() => PrivacyRequestStatus, { description: 'Where it stands.' })
  status!: PrivacyRequestStatus;

  @Field(() => PrivacyRequestChannel, { description: 'Where it came in.' })
  channel!: PrivacyRequestChannel;

  @Field(() => ID, { nullable: true, description: 'The person\'s profile; the id stays after the profile is erased.' })
  profileId!: string | null;

  @Field(() => Date, { description: 'When it came in.' })
  receivedAt!: Date;

  @Field(() => Date, { description: 'When the answer is due: 30 days after it came in (GDPR art. 12(3)).' })
  dueAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it was completed or declined.' })
  completedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'How it ended: the approval\'s note, the decline\'s reason, or what was done.' })
  outcome!: string | null;

  @Field(() => Boolean, { description: 'Still waiting for review or in progress, and past its due date.' })
  isOverdue!: boolean;

  @Field(() => [String], { nullable: true, description: 'RECTIFICATION: the attributes corrected (sreg field names, never their values).' })
  fields!: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'RESTRICTION: true when processing was restricted, false when the restriction was lifted.' })
  isRestricted!: boolean | null;

  @Field(() => String, { nullable: true, description: 'OBJECTION: the grounds the person chose, as a code.' })
  grounds!: string | null;

  @Field(() => ID, { nullable: true, description: 'EXPORT: the export that answers it (`profileExport(id)`).' })
  exportId!: string | null;

  @Field(() => ID, { nullable: true, description: 'DELETION: the erasure that answers it, once started (`deletionRequest(id)`).' })
  deletionRequestId!: string | null;

  @Field(() => String, { nullable: true, description: 'Who approved or declined it: OPERATOR or CLIENT; null when nobody had to.' })
  decidedByKind!: string | null;

  @Field(() => String, { nullable: true, description: 'The id of who approved or declined it (an operator token or client id), never a secret.' })
  decidedById!: string | null;

  static from(r: PrivacyRequestRecord): PrivacyRequestType {
    const fields = r.details.fields;
    return Object.assign(new PrivacyRequestType(), {
      id: r.id,
      customerId: r.customerId,
      kind: r.kind,
      status: r.status,
      channel: r.channel,
      profileId: r.profileId,
      receivedAt: r.receivedAt,
      dueAt: r.dueAt,
      completedAt: r.completedAt,
      outcome: r.outcome,
      isOverdue: r.isOverdue,
      fields: Array.isArray(fields) ? fields.filter((f): f is string => typeof f === 'string') : null,
      isRestricted: typeof r.details.restricted === 'boolean' ? r.details.restricted : null,
      grounds: typeof r.details.grounds === 'string' ? r.details.grounds : null,
      exportId: r.exportId,
      deletionRequestId: r.deletionRequestId,
      decidedByKind: r.decidedByKind,
      decidedById: r.decidedById,
    });
  }
}

@ObjectType('PrivacyRequestConnection', { description: 'A page of privacy requests, newest first.' })
export class PrivacyRequestConnection extends Connection(PrivacyRequestType) {}

@InputType('PrivacyRequestFilter', { description: 'Which privacy requests to list.' })
export class PrivacyRequestFilterInput {
  @Field(() => PrivacyRequestKind, { nullable: true, description: 'Only requests of this kind.' })
  kind?: PrivacyRequestKind | null;

  @Field(() => PrivacyRequestStatus, { nullable: true, description: 'Only requests in this status.' })
  status?: PrivacyRequestStatus | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only overdue requests; false: only requests that are not.' })
  isOverdue?: boolean | null;
}

@ObjectType('ApprovePrivacyRequestPayload', { description: 'The request approved: a deletion IN_PROGRESS (its erasure started), anything else COMPLETED.' })
export class ApprovePrivacyRequestPayload {
  @Field(() => PrivacyRequestType, { description: 'The request.' })
  privacyRequest!: PrivacyRequestType;
}

@ObjectType('DeclinePrivacyRequestPayload', { description: 'The request declined.' })
export class DeclinePrivacyRequestPayload {
  @Field(() => PrivacyRequestType, { description: 'The request, DECLINED with the reason as its outcome.' })
  privacyRequest!: PrivacyRequestType;
}
