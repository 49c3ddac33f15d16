import { EntityManager } from '@mikro-orm/postgresql';

/**
 * True when `keyHash` is the hash of one of the customer's live keys (current, or rotated out and
 * still in its grace period at `now`). The service's role cannot read key hashes at all (column
 * privileges, see the PlatformRole migration): the SECURITY DEFINER function compares them.
 */
export async function apiKeyHashMatches(em: EntityManager, customerId: string, keyHash: string, now: Date): Promise<boolean> {
  const [row]: Array<{ matches: boolean }> = await em.execute('select ids_api_key_matches(?, ?, ?) as matches', [customerId, keyHash, now]);
  return row?.matches === true;
}
