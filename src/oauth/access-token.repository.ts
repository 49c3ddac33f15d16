import { EntityManager } from '@mikro-orm/postgresql';

/** Revokes the client's live token with this hash; answers the ids revoked (none when it is unknown, another client's or revoked already). */
export async function revokeClientToken(em: EntityManager, tokenHash: string, clientId: string, now: Date): Promise<string[]> {
  const rows: Array<{ id: string }> = await em.execute(
    `update oauth_access_token set revoked_at = ? where token_hash = ? and client_id = ? and revoked_at is null returning id`,
    [now, tokenHash, clientId],
  );
  return rows.map((r) => r.id);
}
