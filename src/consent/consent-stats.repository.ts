import { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '../db/scope';

/** How one customer's users answered the consent page over a period. */
export interface ConsentCounts {
  approved: number;
  denied: number;
  /** Of the approvals, those the user asked to remember (they skip the consent page next time). */
  remembered: number;
}

/**
 * One customer's consent decisions made from `since` to `until` (exclusive), counted in one
 * statement. Every answer on the consent page is a row (login-steps/consent.sql.ts), a denial too,
 * so nothing else needs counting. No row at all when the customer does not exist (or row-level
 * security hides it): the caller's NOT_FOUND, answered by the same statement.
 */
export async function selectConsentCounts(em: EntityManager, customerId: string, since: Date, until: Date): Promise<ConsentCounts | null> {
  const [row] = await executeBound<ConsentCounts>(
    em,
    `select count(d.id) filter (where d.decision = 'ALLOW')::int as approved,
            count(d.id) filter (where d.decision = 'DENY')::int as denied,
            count(d.id) filter (where d.decision = 'ALLOW' and d.is_remembered)::int as remembered
       from customer c
       left join consent_decision d on d.customer_id = c.id and d.decided_at >= ? and d.decided_at < ?
      where c.id = ?
      group by c.id`,
    [since, until, customerId],
  );
  return row ?? null;
}
