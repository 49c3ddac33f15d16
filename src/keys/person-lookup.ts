import { CustomerKeyMissingError, type KeyRing, type PersonKey } from './key-ring';

/**
 * Finding a person's rows without their clear values: by the keyed lookup hash of their username or
 * email under each customer searched (the hashes differ per customer), or, on a row written before
 * encryption, by the clear value; and the keys that open a batch of rows, one lookup per customer.
 */

/** One customer's lookup hash of a value: how a sealed column is matched exactly. */
export interface HashMatch {
  customerId: string;
  hash: string;
}

/**
 * How to find rows of a person (or an email) by its clear value: the lookup hash under each of the
 * customers searched (hashes differ per customer), or the clear value on a row not sealed yet.
 */
export interface LookupMatch {
  hashes: HashMatch[];
  clear: string;
}

/** A customer that no longer exists has no key and so no match (its rows are gone too). */
export async function lookupMatch(keys: KeyRing, customerIds: readonly string[], kind: 'username' | 'email', value: string): Promise<LookupMatch> {
  const hashes: HashMatch[] = [];
  for (const customerId of new Set(customerIds)) {
    try {
      hashes.push({ customerId, hash: keys.lookupHash(await keys.customer(customerId), kind, value) });
    } catch (err) {
      if (!(err instanceof CustomerKeyMissingError)) throw err;
    }
  }
  return { hashes, clear: value };
}

/**
 * The same match as an ORM condition on an entity with a `customer` relation, a hash property and
 * the clear (legacy) property, to merge into a `where`.
 */
export function matchWhere(match: LookupMatch, hashProperty: string, clearProperty: string): { $or: Array<Record<string, unknown>> } {
  return {
    $or: [...match.hashes.map((h) => ({ customer: h.customerId, [hashProperty]: h.hash })), { personKeyId: null, [clearProperty]: match.clear }],
  };
}

/** The same match as a bound JSON parameter: `(customer_id, <hash column>) in (select … from jsonb_to_recordset(?::jsonb) …)`. */
export function hashesParam(match: LookupMatch): string {
  return JSON.stringify(match.hashes.map((h) => ({ customer_id: h.customerId, hash: h.hash })));
}

/** Opens the values of rows sealed under several people's keys: one key lookup per customer for the whole batch. */
export async function personKeysOf(keys: KeyRing, rows: ReadonlyArray<{ customerId: string; personKeyId: string | null }>): Promise<Map<string, PersonKey>> {
  const byCustomer = new Map<string, Set<string>>();
  for (const r of rows) if (r.personKeyId !== null) byCustomer.set(r.customerId, (byCustomer.get(r.customerId) ?? new Set()).add(r.personKeyId));
  const found = new Map<string, PersonKey>();
  for (const [customerId, ids] of byCustomer) for (const [id, key] of await keys.people(customerId, ids)) found.set(id, key);
  return found;
}
