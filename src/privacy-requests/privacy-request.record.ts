import { PrivacyRequest, PrivacyRequestChannel, PrivacyRequestKind, OPEN_PRIVACY_STATUSES, PrivacyRequestStatus } from './privacy-request.entity';

/** Days a controller has to answer a request (GDPR art. 12(3)): `dueAt` is this long after `receivedAt`. */
export const PRIVACY_REQUEST_DUE_DAYS = 30;

const DAY_MS = 86_400_000;

/** When a request received at `receivedAt` is due. */
export function dueDateOf(receivedAt: Date): Date {
  return new Date(receivedAt.getTime() + PRIVACY_REQUEST_DUE_DAYS * DAY_MS);
}

/** A request as services and transports read it. No personal value: the person only by subject hash. */
export interface PrivacyRequestRecord {
  id: string;
  customerId: string;
  kind: PrivacyRequestKind;
  status: PrivacyRequestStatus;
  channel: PrivacyRequestChannel;
  profileId: string | null;
  /** AuditService.subjectHash of the person's username; never shown through the API. */
  subjectHash: string;
  /** Field names (`fields`), a consent's realm, an objection's `grounds` code; never a personal value. */
  details: Record<string, unknown>;
  exportId: string | null;
  deletionRequestId: string | null;
  receivedAt: Date;
  dueAt: Date;
  completedAt: Date | null;
  outcome: string | null;
  decidedByKind: string | null;
  decidedById: string | null;
  /** Still owed an answer (waiting for review or in progress) and past `dueAt`, by the service's clock. */
  isOverdue: boolean;
}

/** What a request comes in with. */
export interface ReceivePrivacyRequest {
  customerId: string;
  profileId: string | null;
  subjectHash: string;
  kind: PrivacyRequestKind | `${PrivacyRequestKind}`;
  /** PENDING_REVIEW (the customer decides), IN_PROGRESS (a worker answers it), COMPLETED (answered at once). */
  status: 'PENDING_REVIEW' | 'IN_PROGRESS' | 'COMPLETED' | PrivacyRequestStatus.PENDING_REVIEW | PrivacyRequestStatus.IN_PROGRESS | PrivacyRequestStatus.COMPLETED;
  details?: Record<string, unknown>;
  outcome?: string | null;
  exportId?: string | null;
  deletionRequestId?: string | null;
}

/** What the list can be narrowed to. */
export interface PrivacyRequestFilter {
  /** One customer's requests (a customer-bound caller sees only its own whatever this says). */
  customerId?: string | null;
  kind?: PrivacyRequestKind | null;
  status?: PrivacyRequestStatus | null;
  /** true: only overdue ones; false: only ones that are not. */
  isOverdue?: boolean | null;
}

export function isOverdueAt(status: PrivacyRequestStatus, dueAt: Date, now: Date): boolean {
  return (OPEN_PRIVACY_STATUSES as readonly string[]).includes(status) && dueAt.getTime() < now.getTime();
}

export function toRecord(row: PrivacyRequest, now: Date): PrivacyRequestRecord {
  return {
    id: row.id,
    customerId: row.customer.id,
    kind: row.kind,
    status: row.status,
    channel: row.channel,
    profileId: row.profileId,
    subjectHash: row.subjectHash,
    details: { ...row.details },
    exportId: row.exportId,
    deletionRequestId: row.deletionRequestId,
    receivedAt: row.receivedAt,
    dueAt: row.dueAt,
    completedAt: row.completedAt,
    outcome: row.outcome,
    decidedByKind: row.decidedByKind,
    decidedById: row.decidedById,
    isOverdue: isOverdueAt(row.status, row.dueAt, now),
  };
}
