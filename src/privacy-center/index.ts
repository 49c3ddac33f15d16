export { AccountService } from './account.service';
export type { AccountServiceDeps } from './account.service';
export { OBJECTION_GROUNDS, isObjectionGrounds } from './account-overview';
export type { AccountAttribute, AccountConsent, AccountExport, AccountOverview, AccountSignIn, AttributeSource, ObjectionGrounds } from './account-overview';
export { AccountGoneError, FieldNotEditableError, UnknownObjectionGroundsError } from './privacy-center.errors';
export type { NewPrivacyRequest, PrivacyRequestRecorder, PrivacyRequestView } from './privacy-request-recorder';
