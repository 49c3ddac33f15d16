export { PrivacyRequestService, MAX_OUTCOME_LENGTH, EXPORT_READY_OUTCOME, REMOVED_OUTCOME, ERASED_OUTCOME, ALREADY_ERASED_OUTCOME, type PrivacyRequestServiceDeps } from './privacy-request.service';
export { PrivacyRequest, PrivacyRequestChannel, PrivacyRequestKind, PrivacyRequestStatus, OPEN_PRIVACY_STATUSES } from './privacy-request.entity';
export { PRIVACY_REQUEST_DUE_DAYS, type PrivacyRequestFilter, type PrivacyRequestRecord, type ReceivePrivacyRequest } from './privacy-request.record';
export { PrivacyRequestNotPendingError } from './privacy-request.errors';
