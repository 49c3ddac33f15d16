import { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '../db/scope';

/** A consent decision as the API reads it in bulk: the row's values, no ORM entity. */
export interface ConsentDecisionRecord {
  id: string;
  customerId: string;
  username: string;
  realm: string;
  decision: string;
  grantedFields: string[];
  isRemembered: boolean;
  decidedAt: Date;
  revokedAt: Date | null;
}

/** Whose decisions may be read at all: one customer's, and within it possibly one user's. */
export interface DecisionVisibility {
  customerId?: string;
  username?: string;
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
 * Every decision of each (customer, username) in `subjects` within `visible`, newest first, in one
 * statement whatever the number of subjects or customers: the subjects travel as one bound JSON
 * parameter, so the statement's text never changes with the page.
 */
export async function selectDecisionsOfSubjects(
  em: EntityManager,
  subjects: ReadonlyArray<{ customerId: string; username: string }>,
  visible: DecisionVisibility,
): Promise<ConsentDecisionRecord[]> {
  const conditions = ['(customer_id, username) in (select s.customer_id, s.username from jsonb_to_recordset(?::jsonb) as s(customer_id uuid, username text))'];
  const params: unknown[] = [JSON.stringify(subjects.map((s) => ({ customer_id: s.customerId, username: s.username })))];
  if (visible.customerId !== undefined) {
    conditions.push('customer_id = ?');
    params.push(visible.customerId);
  }
  if (visible.username !== undefined) {
    conditions.push('username = ?');
    params.push(visible.username);
  }
  const rows = await executeBound<ConsentDecisionRow>(
    em,
    `select id, customer_id, username, realm, decision, granted_fields, is_remembered, decided_at, revoked_at
     from "consent_decision"
     where ${conditions.join(' and ')}
     order by decided_at desc, id desc`,
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
