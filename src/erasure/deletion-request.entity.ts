import { randomUUID } from 'node:crypto';
import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';

/**
 * PENDING → RUNNING → COMPLETED, or FAILED after repeated errors. PENDING and RUNNING are "open":
 * only then may the row hold the username (the purge needs it); leaving them clears it.
 */
export enum DeletionStatus {
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
}

export enum DeletionKind {
  /** One person: their profile and everything about them. */
  PROFILE = 'PROFILE',
  /** Customer offboarding: every person of the customer, its clients and keys. */
  CUSTOMER = 'CUSTOMER',
}

export enum DeletionReason {
  /** Someone asked through the API. */
  REQUEST = 'REQUEST',
  /** The customer's profile retention period ran out. */
  RETENTION = 'RETENTION',
}

export const OPEN_STATUSES: readonly DeletionStatus[] = [DeletionStatus.PENDING, DeletionStatus.RUNNING];

/**
 * A deletion request and, once completed, its receipt: no personal data, only a keyed hash of the
 * username, times and the number of rows removed per table.
 */
@Entity({ tableName: 'deletion_request' })
@Check({ name: 'deletion_request_username_only_while_open', expression: `((username IS NULL) OR (status = ANY (ARRAY['PENDING'::text, 'RUNNING'::text])))` })
@Index({
  name: 'deletion_request_open_index',
  properties: ['status'],
  expression: `create index "deletion_request_open_index" on "deletion_request" ("status", "requested_at") where "status" in ('PENDING', 'RUNNING')`,
})
@Index({
  name: 'deletion_request_open_profile_unique',
  properties: ['customer', 'subjectHash'],
  expression: `create unique index "deletion_request_open_profile_unique" on "deletion_request" ("customer_id", "subject_hash") where "kind" = 'PROFILE' and "status" in ('PENDING', 'RUNNING')`,
})
@Index({
  name: 'deletion_request_open_customer_unique',
  properties: ['customer'],
  expression: `create unique index "deletion_request_open_customer_unique" on "deletion_request" ("customer_id") where "kind" = 'CUSTOMER' and "status" in ('PENDING', 'RUNNING')`,
})
export class DeletionRequest {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade', index: 'deletion_request_customer_id_index' })
  customer!: Customer;

  @Enum({ items: () => DeletionKind, type: 'text' })
  kind!: DeletionKind;

  @Enum({ items: () => DeletionReason, type: 'text' })
  reason: DeletionReason = DeletionReason.REQUEST;

  @Enum({ items: () => DeletionStatus, type: 'text' })
  status: DeletionStatus = DeletionStatus.PENDING;

  /** The profile erased (PROFILE); an id, not personal data, and it outlives the row it named. */
  @Property({ type: 'uuid', nullable: true })
  profileId: string | null = null;

  /** AuditService.subjectHash of the username (PROFILE): how the audit trail names the person. */
  @Property({ type: 'string', length: 64, nullable: true })
  subjectHash: string | null = null;

  /**
   * The AW's username, held only while the request is open (the purge matches rows stored before
   * encryption by it); sealed under the customer's key, `deletion_request.username:<id>`. Cleared when it ends.
   */
  @Property({ type: 'text', nullable: true })
  username: string | null = null;

  @Property({ type: 'string', length: 16 })
  requestedByKind!: string;

  @Property({ type: 'string', length: 255 })
  requestedById!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  requestedAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  startedAt: Date | null = null;

  /** Last progress of the worker running it; the sweep takes over a RUNNING request that stopped moving. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  heartbeatAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  completedAt: Date | null = null;

  /** Rows removed (or, for `audit_outbox`, payloads cleared) per table. */
  @Property({ type: 'json', default: '{}' })
  counts: Record<string, number> = {};

  @Property({ type: 'integer', default: 0 })
  failures: number = 0;

  /** The kind of the last error (an exception name or SQLSTATE), never its message, which could quote a value. */
  @Property({ type: 'string', length: 64, nullable: true })
  lastError: string | null = null;
}
