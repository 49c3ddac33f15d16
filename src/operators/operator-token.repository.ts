import { EntityManager } from '@mikro-orm/postgresql';

/** What `ids_enter_operator_token` answers for an active token. */
export interface ActiveOperatorToken {
  id: string;
  name: string;
  role: string;
  customerId: string | null;
}

/**
 * Finds an active operator token by its hash through the SECURITY DEFINER function of the
 * PlatformRole migration, which also records its use (at most once per `resolutionMs`) and enters
 * its customer: a customer-bound token's operation goes on in this transaction, a platform-wide one
 * (no customer, so nobody's rows here) moves to the platform pool. One statement, whatever the
 * number of hashes (the token's hash under each SECRET_KEYS version, hex).
 */
export async function enterOperatorToken(em: EntityManager, tokenHashes: readonly string[], now: Date, resolutionMs: number): Promise<ActiveOperatorToken | null> {
  const [row]: Array<{ token_id: string; token_name: string; token_role: string; token_customer_id: string | null }> = await em.execute(
    'select * from ids_enter_operator_token(?::text[], ?, ?::interval)',
    [`{${tokenHashes.join(',')}}`, now, `${resolutionMs} milliseconds`],
  );
  return row ? { id: row.token_id, name: row.token_name, role: row.token_role, customerId: row.token_customer_id } : null;
}

/**
 * The same for a token named by its id (a dashboard session keeps the id, never the token), through
 * `ids_enter_operator_token_by_id` of the DashboardSession migration: active tokens only, use
 * recorded at the same resolution, its customer entered. One statement.
 */
export async function enterOperatorTokenById(em: EntityManager, id: string, now: Date, resolutionMs: number): Promise<ActiveOperatorToken | null> {
  const [row]: Array<{ token_id: string; token_name: string; token_role: string; token_customer_id: string | null }> = await em.execute(
    'select * from ids_enter_operator_token_by_id(?::uuid, ?, ?::interval)',
    [id, now, `${resolutionMs} milliseconds`],
  );
  return row ? { id: row.token_id, name: row.token_name, role: row.token_role, customerId: row.token_customer_id } : null;
}
