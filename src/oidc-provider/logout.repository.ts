import { EntityManager } from '@mikro-orm/postgresql';

/** What ending a person's OpenID Connect grants changed. */
export interface EndedGrants {
  accessTokenIds: string[];
  refreshTokenIds: string[];
  /** The `client_id`s of the clients that held a live token of the person, sorted. */
  clientIds: string[];
  /** The key the person's values are sealed under (from their tokens), or null when they held none. */
  personKeyId: string | null;
}

/**
 * Revokes every live OpenID Connect token of one person at one customer, found by the keyed lookup
 * hash of their username: refresh tokens, and the access tokens that descend from a grant
 * (`grant_id is not null`; tokens from OpenID 2.0 login codes are not OpenID Connect's to end). One
 * statement in the current transaction; tokens already revoked or expired are left as they are.
 */
export async function endPersonGrants(em: EntityManager, customerId: string, subjectHash: string, now: Date): Promise<EndedGrants> {
  const rows: Array<{ kind: 'access' | 'refresh'; id: string; client_id: string; person_key_id: string | null }> = await em.execute(
    `with access as (
       update oauth_access_token set revoked_at = ?
        where customer_id = ? and subject_hash = ? and grant_id is not null and revoked_at is null and expires_at > ?
        returning id, client_id, person_key_id),
     refresh as (
       update oauth_refresh_token set revoked_at = ?
        where customer_id = ? and subject_hash = ? and revoked_at is null and expires_at > ?
        returning id, client_id, person_key_id),
     ended as (
       select 'access' as kind, id, client_id, person_key_id from access
       union all
       select 'refresh', id, client_id, person_key_id from refresh)
     select ended.kind, ended.id, c.client_id, ended.person_key_id
       from ended join oauth_client c on c.id = ended.client_id`,
    [now, customerId, subjectHash, now, now, customerId, subjectHash, now],
  );
  return {
    accessTokenIds: rows.filter((r) => r.kind === 'access').map((r) => r.id),
    refreshTokenIds: rows.filter((r) => r.kind === 'refresh').map((r) => r.id),
    clientIds: [...new Set(rows.map((r) => r.client_id))].sort(),
    personKeyId: rows.find((r) => r.person_key_id !== null)?.person_key_id ?? null,
  };
}
