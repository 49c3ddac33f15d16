import type { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '../db/scope';

/**
 * The rotation's statements, on the platform path only (`ids_platform` alone may execute these
 * keyring functions): counts per KEK version, a batch of keys not on the current version, and the
 * compare-and-set that re-wraps one.
 */

export interface VersionCount {
  version: string;
  customerKeys: number;
}

/** How many customer keys each KEK version wraps (versions wrapping none are absent). */
export async function selectKeyVersionCounts(em: EntityManager): Promise<VersionCount[]> {
  const rows = await executeBound<{ version: string; n: string }>(em, 'select kek_version as version, customer_keys as n from keyring.ids_key_versions()', []);
  return rows.map((r) => ({ version: r.version, customerKeys: Number(r.n) }));
}

export interface KeyToRewrap {
  customerId: string;
  version: string;
  wrapped: Buffer;
}

/** Up to `limit` customer keys not wrapped by `current`, in customer id order after `after`. */
export async function selectKeysToRewrap(em: EntityManager, current: string, after: string | null, limit: number): Promise<KeyToRewrap[]> {
  return executeBound<KeyToRewrap>(
    em,
    'select customer_id as "customerId", kek_version as version, wrapped from keyring.ids_customer_keys_to_rewrap(?, ?::uuid, ?)',
    [current, after, limit],
  );
}

/**
 * Replaces the customer's wrapped key if it is still `old` (compare-and-set): answers false when it
 * changed meanwhile (another rotation re-wrapped it, or the customer was erased).
 */
export async function rewrapCustomerKey(
  em: EntityManager,
  customerId: string,
  old: { version: string; wrapped: Buffer },
  next: { version: string; wrapped: Buffer },
): Promise<boolean> {
  const rows = await executeBound<{ ok: boolean }>(em, 'select keyring.ids_rewrap_customer_key(?, ?, ?, ?, ?) as ok', [
    customerId,
    old.version,
    old.wrapped,
    next.version,
    next.wrapped,
  ]);
  return rows[0]?.ok === true;
}
