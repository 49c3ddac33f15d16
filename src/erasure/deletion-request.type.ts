import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DeletionKind, DeletionReason, DeletionRequest, DeletionStatus } from './deletion-request.entity';

registerEnumType(DeletionStatus, {
  name: 'DeletionStatus',
  description: 'Where a deletion request stands.',
  valuesConfig: {
    PENDING: { description: 'Waiting for the erasure worker.' },
    RUNNING: { description: 'Being erased, batch by batch.' },
    COMPLETED: { description: 'Done: only this receipt remains.' },
    FAILED: { description: 'Given up after repeated errors; ask again.' },
  },
});
registerEnumType(DeletionKind, {
  name: 'DeletionKind',
  description: 'What a deletion request erases.',
  valuesConfig: { PROFILE: { description: 'One person.' }, CUSTOMER: { description: 'Every person of a customer, its clients and keys (offboarding).' } },
});
registerEnumType(DeletionReason, {
  name: 'DeletionReason',
  description: 'Why a deletion request exists.',
  valuesConfig: { REQUEST: { description: 'Someone asked through the API.' }, RETENTION: { description: 'The customer\'s profile retention period ran out.' } },
});

@ObjectType('DeletedRows', { description: 'How many rows of one table an erasure removed.' })
export class DeletedRowsType {
  @Field(() => String, { description: 'The table (`audit_outbox` counts payloads cleared, `deletion_request_superseded` requests covered by an offboarding).' })
  table!: string;

  @Field(() => Int, { description: 'Rows removed.' })
  count!: number;
}

@ObjectType('DeletionRequest', { description: 'A deletion request and, once completed, its receipt. It holds no personal data.' })
export class DeletionRequestType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => ID, { description: 'The customer whose data it erases.' })
  customerId!: string;

  @Field(() => DeletionKind, { description: 'One person or the whole customer.' })
  kind!: DeletionKind;

  @Field(() => DeletionReason, { description: 'Asked for, or retention.' })
  reason!: DeletionReason;

  @Field(() => DeletionStatus, { description: 'Where it stands.' })
  status!: DeletionStatus;

  @Field(() => ID, { nullable: true, description: 'The profile erased (PROFILE requests); the profile itself is gone once completed.' })
  profileId!: string | null;

  @Field(() => String, { description: 'Who asked: OPERATOR, CLIENT or SYSTEM (retention).' })
  requestedByKind!: string;

  @Field(() => String, { description: 'The id of who asked (an operator token or client id), never a secret.' })
  requestedById!: string;

  @Field(() => Date, { description: 'When it was asked for.' })
  requestedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the worker started on it.' })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it completed or failed.' })
  completedAt!: Date | null;

  @Field(() => [DeletedRowsType], { description: 'Rows removed so far, per table, sorted by table.' })
  counts!: DeletedRowsType[];

  @Field(() => Int, { description: 'Errors so far; the request is FAILED after 5 in a row.' })
  failures!: number;

  static from(r: DeletionRequest): DeletionRequestType {
    return Object.assign(new DeletionRequestType(), {
      id: r.id,
      customerId: r.customer.id,
      kind: r.kind,
      reason: r.reason,
      status: r.status,
      profileId: r.profileId,
      requestedByKind: r.requestedByKind,
      requestedById: r.requestedById,
      requestedAt: r.requestedAt,
      startedAt: r.startedAt,
      completedAt: r.completedAt,
      counts: Object.entries(r.counts)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([table, count]) => Object.assign(new DeletedRowsType(), { table, count })),
      failures: r.failures,
    });
  }
}

@ObjectType('RequestProfileDeletionPayload', { description: 'The deletion request of the person: a new one, or the one already open.' })
export class RequestProfileDeletionPayload {
  @Field(() => DeletionRequestType, { description: 'The request; follow it with `deletionRequest(id)`.' })
  deletionRequest!: DeletionRequestType;
}

@ObjectType('RequestCustomerDataDeletionPayload', { description: 'The customer\'s offboarding request: a new one, or the one already open.' })
export class RequestCustomerDataDeletionPayload {
  @Field(() => DeletionRequestType, { description: 'The request; follow it with `deletionRequest(id)`.' })
  deletionRequest!: DeletionRequestType;
}
