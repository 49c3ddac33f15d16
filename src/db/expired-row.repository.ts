import { EntityManager } from '@mikro-orm/postgresql';

/** Tables whose rows carry an `expires_at` after which they are deleted by the purge job. */
export type ExpiringTable =
  | 'customer_api_key'
  | 'openid_association'
  | 'openid_nonce'
  | 'oauth_access_token'
  | 'oauth_login_code'
  | 'oidc_code'
  | 'oauth_refresh_token'
  | 'oidc_signing_key';

/**
 * Deletes up to `batchSize` rows of `table` whose `expires_at` has passed and returns how many went.
 * Small batches keep each statement short, so a large backlog never holds long locks.
 */
export async function deleteExpiredRows(em: EntityManager, table: ExpiringTable, now: Date, batchSize: number): Promise<number> {
  const rows: unknown[] = await em.execute(
    `delete from "${table}" where ctid in (select ctid from "${table}" where expires_at <= ? limit ?) returning 1`,
    [now, batchSize],
  );
  return rows.length;
}
