/** Adds one statement to the migration being built (Migration.addSql). */
export type AddSql = (sql: string) => void;

/** The nine sreg attributes, in the order of the profile's columns (OpenID sreg 1.1 §3). */
export const SREG = ['nickname', 'email', 'fullname', 'dob', 'gender', 'postcode', 'country', 'language', 'timezone'];

/** The audit worker's advisory lock (audit-outbox.repository.ts DRAIN_LOCK): payloads never move while a child's are erased. */
export const DRAIN_LOCK = 0x61756469;
