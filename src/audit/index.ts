export { ActorKind, currentActor, identifyActor, runAs, SYSTEM_ACTOR, type Actor } from './actor';
export { AuditService, type AuditRecord, type FieldChange, type FieldProvenance } from './audit.service';
export { deleteReleasedOutboxRows, OUTBOX_ROW_RELEASED_SQL } from './audit-outbox.repository';
export { openPayloadRows, type PayloadRow } from './payload-cipher';
