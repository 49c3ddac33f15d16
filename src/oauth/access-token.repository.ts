import { EntityManager } from '@mikro-orm/postgresql';
import { hexArray } from './credential.repository';

/**
 * Revokes the client's live token with one of these hashes (its hash under each SECRET_KEYS version);
 * answers the ids revoked (none when it is unknown, another client's or revoked already).
 */
export async function revokeClientToken(em: EntityManager, tokenHashes: readonly string[], clientId: string, now: Date): Promise<string[]> {
  const rows: Array<{ id: string }> = await em.execute(
    `update oauth_access_token set revoked_at = ? where token_hash = any(?::text[]) and client_id = ? and revoked_at is null returning id`,
    [now, hexArray(tokenHashes), clientId],
  );
  return rows.map((r) => r.id);
}
