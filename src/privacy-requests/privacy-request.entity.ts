import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';

/** What a person asked for (GDPR arts. 15-21). */
export enum PrivacyRequestKind {
  /** A copy of their data (access, art. 15): built by the export worker. */
  EXPORT = 'EXPORT',
  /** Corrected attributes (art. 16). */
  RECTIFICATION = 'RECTIFICATION',
  /** Processing restricted, or the restriction lifted (art. 18). */
  RESTRICTION = 'RESTRICTION',
  /** Erasure (art. 17), through a deletion request. */
  DELETION = 'DELETION',
  /** An objection to processing (art. 21), decided by the customer. */
  OBJECTION = 'OBJECTION',
}

/**
 * The life of a request:
 *
 *   PENDING_REVIEW ──approve──▶ IN_PROGRESS ──the work is done──▶ COMPLETED
 *         │    └────approve (nothing to run)────────────────────▶ COMPLETED
 *         └──decline──▶ DECLINED
 *
 * A request made without review starts IN_PROGRESS (an export, an immediate deletion) or COMPLETED.
 */
export enum PrivacyRequestStatus {
  PENDING_REVIEW = 'PENDING_REVIEW',
  IN_PROGRESS = 'IN_PROGRESS',
  COMPLETED = 'COMPLETED',
  DECLINED = 'DECLINED',
}

/** Where a request came in. */
export enum PrivacyRequestChannel {
  /** The person's own page, `/c/{slug}/account`. */
  PRIVACY_CENTER = 'PRIVACY_CENTER',
}

/** Statuses of a request still owed an answer: the ones that can be overdue. */
export const OPEN_PRIVACY_STATUSES: readonly PrivacyRequestStatus[] = [PrivacyRequestStatus.PENDING_REVIEW, PrivacyRequestStatus.IN_PROGRESS];

/**
 * A data subject's request and its answer (issue 22): what, when it is due (30 days after it came
 * in, GDPR art. 12(3)), where it stands, how it ended. It holds no personal value: the person only
 * by the audit trail's keyed subject hash (as `deletion_request` does), details only field names,
 * realms and codes, so it stays as the record of the answer after the person is erased.
 */
@Entity({ tableName: 'privacy_request' })
@Index({ name: 'privacy_request_customer_received_index', properties: ['customer', 'receivedAt', 'id'] })
@Index({ name: 'privacy_request_customer_subject_index', properties: ['customer', 'subjectHash'] })
@Index({
  name: 'privacy_request_open_due_index',
  properties: ['dueAt'],
  expression: `create index "privacy_request_open_due_index" on "privacy_request" ("due_at") where "status" in ('PENDING_REVIEW', 'IN_PROGRESS')`,
})
@Index({
  name: 'privacy_request_open_deletion_unique',
  properties: ['customer', 'subjectHash'],
  expression: `create unique index "privacy_request_open_deletion_unique" on "privacy_request" ("customer_id", "subject_hash") where "kind" = 'DELETION' and "status" in ('PENDING_REVIEW', 'IN_PROGRESS')`,
})
export class PrivacyRequest {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade', index: false })
  customer!: Customer;

  @Enum({ items: () => PrivacyRequestKind, type: 'text' })
  kind!: PrivacyRequestKind;

  @Enum({ items: () => PrivacyRequestStatus, type: 'text' })
  status!: PrivacyRequestStatus;

  @Enum({ items: () => PrivacyRequestChannel, type: 'text' })
  channel: PrivacyRequestChannel = PrivacyRequestChannel.PRIVACY_CENTER;

  /** The person's profile: an id, not personal data, and it outlives the profile it named. */
  @Property({ type: 'uuid', nullable: true })
  profileId: string | null = null;

  /** AuditService.subjectHash of the username: how the trail (and deletion_request) names the person. */
  @Property({ type: 'string', length: 64 })
  subjectHash!: string;

  /** Field names, a consent's realm, an objection's grounds code: never a personal value. */
  @Property({ type: 'json', default: '{}' })
  details: Record<string, unknown> = {};

  /** The export that answers an EXPORT request. */
  @Index({ name: 'privacy_request_export_id_index' })
  @Property({ type: 'uuid', nullable: true })
  exportId: string | null = null;

  /** The erasure that answers a DELETION request, once it runs. */
  @Index({ name: 'privacy_request_deletion_request_id_index' })
  @Property({ type: 'uuid', nullable: true })
  deletionRequestId: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  receivedAt!: Date;

  /** receivedAt + 30 days: when the answer is owed. */
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  dueAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  completedAt: Date | null = null;

  /** How it ended: a decline's reason, an approval's note, what was done. No personal value. */
  @Property({ type: 'text', nullable: true })
  outcome: string | null = null;

  /** Who approved or declined it (an ActorKind and its id), when someone did. */
  @Property({ type: 'string', length: 16, nullable: true })
  decidedByKind: string | null = null;

  @Property({ type: 'string', length: 255, nullable: true })
  decidedById: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;
}
