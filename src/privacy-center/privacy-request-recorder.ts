import type { PrivacyRequestRecord, PrivacyRequestService, ReceivePrivacyRequest } from '../privacy-requests';

/**
 * What the privacy center needs of the privacy-request log (src/privacy-requests): recording a
 * person's request and reading theirs back; the composition root hands it the PrivacyRequestService.
 */
export type PrivacyRequestRecorder = Pick<PrivacyRequestService, 'receive' | 'forSubject' | 'getForReceipt' | 'openDeletion'>;
export type NewPrivacyRequest = ReceivePrivacyRequest;
/** A recorded request as the center shows it (the subject hash is never rendered). */
export type PrivacyRequestView = PrivacyRequestRecord;
