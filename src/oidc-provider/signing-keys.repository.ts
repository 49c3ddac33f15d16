import type { EntityManager } from '@mikro-orm/postgresql';
import type { IdTokenAlg } from '../oauth/oauth-client.entity';

/**
 * The statements on `oidc_signing_key`. Each runs in the caller's transaction, which is limited to
 * the key's customer (row-level security): the customer id in them only narrows what RLS allows.
 */

export interface StoredSigningKey {
  id: string;
  kid: string;
  alg: IdTokenAlg;
  publicJwk: Record<string, unknown>;
  /** Sealed under the customer's data key. */
  privateJwk: string;
  createdAt: Date;
  activatesAt: Date;
  retiresAt: Date | null;
  expiresAt: Date | null;
}

const COLUMNS = `id, kid, alg, public_jwk as "publicJwk", private_jwk as "privateJwk", created_at as "createdAt",
  activates_at as "activatesAt", retires_at as "retiresAt", expires_at as "expiresAt"`;

/**
 * Serializes the writers of one customer's keys of one algorithm (the first use, a rotation) until
 * the transaction ends: two instances meeting a customer's first token at once make one key, and
 * two rotations do not both retire the same key.
 */
export async function lockSigningKeys(em: EntityManager, customerId: string, alg: IdTokenAlg): Promise<void> {
  await em.execute(`select pg_advisory_xact_lock(hashtextextended('oidc_signing_key:' || ? || ':' || ?, 0))`, [customerId, alg], 'run');
}

/** The customer's keys not yet expired at `now` (published, signing or retired), oldest first. */
export async function selectLiveKeys(em: EntityManager, customerId: string, now: Date): Promise<StoredSigningKey[]> {
  const rows: StoredSigningKey[] = await em.execute(
    `select ${COLUMNS} from oidc_signing_key where customer_id = ? and (expires_at is null or expires_at > ?) order by created_at, id`,
    [customerId, now],
  );
  return rows.map(withDates);
}

/** Whether the customer has a key of `alg` that signs at `now`. */
export async function hasSigningKey(em: EntityManager, customerId: string, alg: IdTokenAlg, now: Date): Promise<boolean> {
  const rows: unknown[] = await em.execute(
    `select 1 from oidc_signing_key
      where customer_id = ? and alg = ? and activates_at <= ? and (retires_at is null or retires_at > ?) and (expires_at is null or expires_at > ?) limit 1`,
    [customerId, alg, now, now, now],
  );
  return rows.length > 0;
}

export async function insertSigningKey(em: EntityManager, customerId: string, key: StoredSigningKey): Promise<void> {
  await em.execute(
    `insert into oidc_signing_key (id, customer_id, kid, alg, public_jwk, private_jwk, created_at, activates_at, retires_at, expires_at)
     values (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?)`,
    [key.id, customerId, key.kid, key.alg, JSON.stringify(key.publicJwk), key.privateJwk, key.createdAt, key.activatesAt, key.retiresAt, key.expiresAt],
    'run',
  );
}

/**
 * Retires at `retiresAt` every key of `alg` that would otherwise sign past it, and unpublishes each
 * at `expiresAt`; answers the kids retired.
 */
export async function retireKeys(em: EntityManager, customerId: string, alg: IdTokenAlg, retiresAt: Date, expiresAt: Date): Promise<string[]> {
  const rows: Array<{ kid: string }> = await em.execute(
    `update oidc_signing_key set retires_at = ?, expires_at = least(coalesce(expires_at, ?), ?)
      where customer_id = ? and alg = ? and (retires_at is null or retires_at > ?) returning kid`,
    [retiresAt, expiresAt, expiresAt, customerId, alg, retiresAt],
  );
  return rows.map((row) => row.kid);
}

/** em.execute answers timestamptz as Date with the pg driver; normalised in case a string comes back. */
function withDates(row: StoredSigningKey): StoredSigningKey {
  const date = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));
  return { ...row, createdAt: date(row.createdAt)!, activatesAt: date(row.activatesAt)!, retiresAt: date(row.retiresAt), expiresAt: date(row.expiresAt) };
}
