/**
 * What the privacy center needs of the privacy-request log (src/privacy-requests, the
 * PrivacyRequestService): recording a person's request and reading theirs back. Typed here so the
 * center depends on this shape only; the composition root hands it the real service.
 */
export type PrivacyRequestKindName = 'EXPORT' | 'RECTIFICATION' | 'RESTRICTION' | 'DELETION' | 'OBJECTION';
export type PrivacyRequestStatusName = 'PENDING_REVIEW' | 'IN_PROGRESS' | 'COMPLETED' | 'DECLINED';

/** A request to record; `details` holds field names and codes, never personal values. */
export interface NewPrivacyRequest {
  customerId: string;
  profileId: string;
  subjectHash: string;
  kind: PrivacyRequestKindName;
  status: 'PENDING_REVIEW' | 'IN_PROGRESS' | 'COMPLETED';
  details?: Record<string, unknown>;
  outcome?: string | null;
  exportId?: string | null;
  deletionRequestId?: string | null;
}

/** A recorded request as the center shows it. */
export interface PrivacyRequestView {
  id: string;
  customerId: string;
  kind: string;
  status: string;
  profileId: string | null;
  details: Record<string, unknown>;
  exportId: string | null;
  deletionRequestId: string | null;
  receivedAt: Date;
  dueAt: Date;
  completedAt: Date | null;
  outcome: string | null;
  isOverdue: boolean;
}

export interface PrivacyRequestRecorder {
  /** Records a request in the caller's transaction (and audits it). */
  receive(input: NewPrivacyRequest): Promise<PrivacyRequestView>;
  /** The person's requests, newest first. */
  forSubject(customerId: string, subjectHash: string, limit: number): Promise<PrivacyRequestView[]>;
  /** One request of the customer, for its receipt (the caller proved the receipt token). */
  getForReceipt(customerId: string, id: string): Promise<PrivacyRequestView | null>;
}
