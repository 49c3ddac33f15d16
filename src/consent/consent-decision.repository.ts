import { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '../db/scope';

/** A consent decision as the API reads it in bulk: the row's values, no ORM entity. */
export interface ConsentDecisionRecord {
  id: string;
  customerId: string;
  /** Opened; null when the person's key is gone (erased). */
  username: string | null;
  realm: string;
  decision: string;
  grantedFields: string[];
  isRemembered: boolean;
  decidedAt: Date;
  revokedAt: Date | null;
}

/** Whose decisions may be read at all: one customer's, and within it possibly one user's (by lookup hash). */
export interface DecisionVisibility {
  customerId?: string;
  person?: { usernameHash: string; username: string };
}

/** A person whose decisions to read: their clear username and its lookup hash under their customer. */
export interface HashedSubject {
  customerId: string;
  username: string;
  usernameHash: string;
}

interface ConsentDecisionRow {
  id: string;
  customer_id: string;
  username: string;
  realm: string;
  decision: string;
  granted_fields: string[];
  is_remembered: boolean;
  decided_at: string;
  revoked_at: string | null;
}

/**
 * Every decision of each person in `subjects` within `visible`, newest first, in one statement
 * whatever the number of subjects or customers: the subjects travel as one bound JSON parameter, so
 * the statement's text never changes with the page. A decision is the subject's by the lookup hash
 * of their username (or by the clear username on a row not sealed yet); the record names the
 * subject by the clear username asked for, never by the stored (sealed) one.
 */
export async function selectDecisionsOfSubjects(em: EntityManager, subjects: readonly HashedSubject[], visible: DecisionVisibility): Promise<ConsentDecisionRecord[]> {
  const conditions: string[] = [];
  const params: unknown[] = [JSON.stringify(subjects.map((s) => ({ customer_id: s.customerId, username_hash: s.usernameHash, username: s.username })))];
  if (visible.customerId !== undefined) {
    conditions.push('d.customer_id = ?');
    params.push(visible.customerId);
  }
  if (visible.person !== undefined) {
    conditions.push('(d.username_hash = ? or (d.person_key_id is null and d.username = ?))');
    params.push(visible.person.usernameHash, visible.person.username);
  }
  const rows = await executeBound<ConsentDecisionRow>(
    em,
    `select d.id, d.customer_id, s.username, d.realm, d.decision, d.granted_fields, d.is_remembered, d.decided_at, d.revoked_at
     from "consent_decision" d
     join jsonb_to_recordset(?::jsonb) as s(customer_id uuid, username_hash text, username text)
       on d.customer_id = s.customer_id and (d.username_hash = s.username_hash or (d.person_key_id is null and d.username = s.username))
     ${conditions.length > 0 ? `where ${conditions.join(' and ')}` : ''}
     order by d.decided_at desc, d.id desc`,
    params,
  );
  // The ORM's own date parsing (timestamptz comes back as text on its connections), so a record holds what an entity would.
  const platform = em.getPlatform();
  return rows.map((row) => ({
    id: row.id,
    customerId: row.customer_id,
    username: row.username,
    realm: row.realm,
    decision: row.decision,
    grantedFields: row.granted_fields,
    isRemembered: row.is_remembered,
    decidedAt: platform.parseDate(row.decided_at),
    revokedAt: row.revoked_at === null ? null : platform.parseDate(row.revoked_at),
  }));
}
