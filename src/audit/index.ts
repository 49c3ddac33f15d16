export { ActorKind, currentActor, identifyActor, runAs, SYSTEM_ACTOR, type Actor } from './actor';
export { AuditService, type AuditRecord, type FieldChange } from './audit.service';
export { AuditResolver, AuditFieldChangeResolver } from './audit.resolver';
export { deleteReleasedOutboxRows, OUTBOX_ROW_RELEASED_SQL } from './audit-outbox.repository';
