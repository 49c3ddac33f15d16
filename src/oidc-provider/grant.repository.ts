import { EntityManager } from '@mikro-orm/postgresql';

/** What revoking a grant changed: the ids of the access and refresh tokens it revoked just now. */
export interface RevokedGrant {
  accessTokenIds: string[];
  refreshTokenIds: string[];
}

/**
 * Revokes every live token of an OpenID Connect grant (the access and refresh tokens whose
 * `grant_id` is the authorization code's id), in two statements of the current transaction.
 */
export async function revokeGrantTokens(em: EntityManager, customerId: string, grantId: string, now: Date): Promise<RevokedGrant> {
  const access: Array<{ id: string }> = await em.execute(
    `update oauth_access_token set revoked_at = ? where customer_id = ? and grant_id = ? and revoked_at is null returning id`,
    [now, customerId, grantId],
  );
  const refresh: Array<{ id: string }> = await em.execute(
    `update oauth_refresh_token set revoked_at = ? where customer_id = ? and grant_id = ? and revoked_at is null returning id`,
    [now, customerId, grantId],
  );
  return { accessTokenIds: access.map((r) => r.id), refreshTokenIds: refresh.map((r) => r.id) };
}
