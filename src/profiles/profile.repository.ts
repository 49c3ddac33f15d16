import { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '../db/scope';

export interface ProfileRecord {
  customerId: string;
  username: string;
  /** The sreg values the disclosure rule lets the profile record (none for a child). */
  record: Record<string, string>;
  isMinor: boolean;
  /** Whether a restricted person's profile may change (the rule says no). */
  restrictedRecords: boolean;
  now: Date;
  subjectHash: string;
  actor: { kind: string; id: string };
}

/**
 * Creates or updates a person's profile as a postback does, in `em`'s transaction: the SQL
 * function `ids_profile_record` (the LoginSteps migration), which the postback's own statement
 * calls too, so there is one implementation of what a postback records and audits.
 */
export async function recordProfile(em: EntityManager, r: ProfileRecord): Promise<void> {
  await executeBound(em, 'select ids_profile_record(?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?)', [
    r.customerId,
    r.username,
    JSON.stringify(r.record),
    r.isMinor,
    r.restrictedRecords,
    r.now,
    r.subjectHash,
    r.actor.kind,
    r.actor.id,
  ]);
}
