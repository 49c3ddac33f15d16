import { EntityManager } from '@mikro-orm/postgresql';

/** The access token a login code produced, read fresh from the row (a concurrent winner may have just set it). */
export async function accessTokenIdOfCode(em: EntityManager, codeId: string): Promise<string | null> {
  const rows: Array<{ access_token_id: string | null }> = await em.execute('select access_token_id from oauth_login_code where id = ?', [codeId], 'all');
  return rows[0]?.access_token_id ?? null;
}
