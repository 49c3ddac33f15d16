import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { compactVerify, createLocalJWKSet, CryptoKey, errors, importJWK, JWK, jwtVerify, JWTPayload, SignJWT } from 'jose';
import { ID_TOKEN_ALGS, IdTokenAlg } from '../oauth/oauth-client.entity';
import { customerScope, Database } from '../db/scope';
import { fieldAad, KeyRing, openText, sealText } from '../keys';
import type { Clock } from '../shared/clock';
import type { IdTokenSigner } from './id-token-signer';
import { generateKeyMaterial, NewKeyMaterial, publicPart } from './signing-key-material';
import { firstKeyDates, isPublished, KeySchedule, signingKey } from './signing-key-schedule';
import { hasSigningKey, insertSigningKey, lockSigningKeys, selectLiveKeys, StoredSigningKey } from './signing-keys.repository';

/** A live key with its private half opened, as cached. */
interface OpenedKey extends KeySchedule {
  readonly id: string;
  readonly kid: string;
  readonly publicJwk: JWK;
  readonly privateKey: CryptoKey;
}

interface KeySet {
  readonly keys: readonly OpenedKey[];
  readonly loadedAtMs: number;
}

export interface OidcSigningKeysDeps {
  db: Database;
  em: EntityManager;
  keys: KeyRing;
  clock: Clock;
  /** Longest a customer's key set is kept without reading it again (the change feed drops it sooner). */
  cacheMaxAgeMs: number;
  /** Most customers whose keys are kept in memory; the oldest loaded go first. */
  maxCachedCustomers?: number;
}

/** Where a private key is sealed: a sealed key copied to another row does not open. */
export const privateJwkAad = (id: string): string => fieldAad('oidc_signing_key', 'private_jwk', id);

const ALGORITHMS = [...ID_TOKEN_ALGS];

/**
 * The customers' ID token signing keys (issue 19): made on first use, sealed at rest under the
 * customer's data key, opened once per instance and kept in memory, since every token request signs.
 * The cache holds every live key with its dates, so what signs and what is published follows the
 * schedule (signing-key-schedule.ts) by the clock, without a read; a change of the customer's keys
 * anywhere (`oidc_keys:<customer id>` on the change feed) drops it.
 *
 * Reads and the first key run in a unit of work of their own, scoped to the customer: a key made on
 * first use is committed before anything is signed with it, whatever becomes of the caller's work.
 */
export class OidcSigningKeys implements IdTokenSigner {
  readonly #sets = new Map<string, KeySet>();
  readonly #loading = new Map<string, { promise: Promise<KeySet>; version: string }>();
  readonly #creating = new Map<string, Promise<void>>();
  /** Bumped per customer by each drop, so a load that began before it is not kept. */
  readonly #versions = new Map<string, number>();
  #epoch = 0;

  constructor(private readonly deps: OidcSigningKeysDeps) {}

  /** A compact JWS of `payload` under the customer's signing key for `alg`, made on first use; header `{alg, kid, typ}`. */
  async sign(customerId: string, alg: IdTokenAlg, payload: JWTPayload, typ?: string): Promise<string> {
    const key = await this.signingKeyOf(customerId, alg);
    return new SignJWT(payload).setProtectedHeader({ alg, kid: key.kid, typ: typ ?? 'JWT' }).sign(key.privateKey);
  }

  /**
   * The customer's published public keys of both algorithms: upcoming, signing, and retired until
   * they expire. Publishing is a use: a customer without keys gets them here, so a relying party
   * that reads the JWKS before the first sign-in already finds the key that will sign it.
   */
  async jwks(customerId: string): Promise<{ keys: JWK[] }> {
    let set = await this.keySet(customerId);
    const missing = ALGORITHMS.filter((alg) => !signingKey(set.keys, alg, this.now()));
    if (missing.length > 0) {
      await Promise.all(missing.map((alg) => this.createFirstKey(customerId, alg)));
      set = await this.keySet(customerId);
    }
    return { keys: this.published(set) };
  }

  /**
   * The payload of a JWS this customer signed with one of its published keys and whose `iss` is
   * `issuer`; with `allowExpired`, also when its `exp` has passed (an `id_token_hint`). Null for
   * anything else: another issuer's token, an unknown or expired key, a bad signature, garbage.
   */
  async verifyOwn(customerId: string, jws: string, options: { issuer: string; allowExpired: boolean }): Promise<JWTPayload | null> {
    const keys = this.published(await this.keySet(customerId));
    if (keys.length === 0) return null;
    const keySet = createLocalJWKSet({ keys });
    try {
      return (await jwtVerify(jws, keySet, { issuer: options.issuer, algorithms: ALGORITHMS, currentDate: this.now() })).payload;
    } catch (err) {
      if (!(err instanceof errors.JOSEError)) throw err;
      // jose checks `iss` before `exp`: an expired token has passed the signature and the issuer.
      if (!options.allowExpired || !(err instanceof errors.JWTExpired)) return null;
    }
    try {
      const { payload } = await compactVerify(jws, keySet, { algorithms: ALGORITHMS });
      const claims = JSON.parse(new TextDecoder().decode(payload)) as unknown;
      if (typeof claims !== 'object' || claims === null || (claims as JWTPayload).iss !== options.issuer) return null;
      return claims as JWTPayload;
    } catch (err) {
      if (err instanceof errors.JOSEError || err instanceof SyntaxError) return null;
      throw err;
    }
  }

  /** A change from the database's feed (db/change-feed.ts). */
  onChange(change: string): void {
    if (change.startsWith('oidc_keys:')) this.forget(change.slice('oidc_keys:'.length));
    else if (change === 'reset') this.forgetAll();
  }

  /** Drops the customer's keys from memory: the next use reads them again. */
  forget(customerId: string): void {
    this.#sets.delete(customerId);
    this.#loading.delete(customerId);
    this.#versions.set(customerId, (this.#versions.get(customerId) ?? 0) + 1);
  }

  forgetAll(): void {
    this.#sets.clear();
    this.#loading.clear();
    this.#versions.clear();
    this.#epoch++;
  }

  private async signingKeyOf(customerId: string, alg: IdTokenAlg): Promise<OpenedKey> {
    const found = signingKey((await this.keySet(customerId)).keys, alg, this.now());
    if (found) return found;
    await this.createFirstKey(customerId, alg);
    const made = signingKey((await this.keySet(customerId)).keys, alg, this.now());
    if (!made) throw new Error(`customer ${customerId} has no ${alg} signing key`);
    return made;
  }

  private published(set: KeySet): JWK[] {
    const now = this.now();
    return set.keys.filter((key) => isPublished(key, now)).map((key) => ({ ...key.publicJwk }));
  }

  /** The customer's live keys, from memory unless dropped or older than the cache's maximum age. */
  private keySet(customerId: string): Promise<KeySet> {
    const cached = this.#sets.get(customerId);
    if (cached && this.now().getTime() - cached.loadedAtMs < this.deps.cacheMaxAgeMs) return Promise.resolve(cached);
    const version = this.versionOf(customerId);
    const pending = this.#loading.get(customerId);
    if (pending && pending.version === version) return pending.promise;
    const promise = this.load(customerId).then((set) => {
      // Dropped while loading: what was read may predate the change, so it serves this call only.
      if (this.versionOf(customerId) === version) this.remember(customerId, set);
      return set;
    });
    promise.finally(() => {
      if (this.#loading.get(customerId)?.promise === promise) this.#loading.delete(customerId);
    }).catch(() => undefined);
    this.#loading.set(customerId, { promise, version });
    return promise;
  }

  private async load(customerId: string): Promise<KeySet> {
    const loadedAtMs = this.now().getTime();
    const rows = await this.deps.db.run(customerScope(customerId), () => selectLiveKeys(this.deps.em, customerId, new Date(loadedAtMs)));
    if (rows.length === 0) return { keys: [], loadedAtMs };
    const customerKey = (await this.deps.keys.customer(customerId)).key;
    return { keys: await Promise.all(rows.map((row) => openKey(customerKey, row))), loadedAtMs };
  }

  private remember(customerId: string, set: KeySet): void {
    this.#sets.delete(customerId);
    this.#sets.set(customerId, set);
    if (this.#sets.size > (this.deps.maxCachedCustomers ?? 10_000)) this.#sets.delete(this.#sets.keys().next().value!);
  }

  /**
   * Makes the customer's first key of `alg`, signing at once, unless one signs already. The key is
   * made before the lock (an RSA key takes a while) and thrown away if another instance got there
   * first; the advisory lock makes the check and the insert one step across instances, and calls
   * within this one share a single attempt.
   */
  private createFirstKey(customerId: string, alg: IdTokenAlg): Promise<void> {
    const name = `${customerId}:${alg}`;
    const pending = this.#creating.get(name);
    if (pending) return pending;
    const creating = (async () => {
      const material = await generateKeyMaterial(alg);
      const customerKey = (await this.deps.keys.customer(customerId)).key;
      await this.deps.db.run(customerScope(customerId), async () => {
        await lockSigningKeys(this.deps.em, customerId, alg);
        const now = this.now();
        if (await hasSigningKey(this.deps.em, customerId, alg, now)) return;
        await insertSigningKey(this.deps.em, customerId, sealedKey(customerKey, alg, material, firstKeyDates(now)));
      });
      this.forget(customerId);
    })().finally(() => this.#creating.delete(name));
    this.#creating.set(name, creating);
    return creating;
  }

  private versionOf(customerId: string): string {
    return `${this.#epoch}:${this.#versions.get(customerId) ?? 0}`;
  }

  private now(): Date {
    return this.deps.clock.now();
  }
}

/** A new key as stored: its private JWK sealed under the customer's data key, bound to the row. */
export function sealedKey(customerKey: Buffer, alg: IdTokenAlg, material: NewKeyMaterial, dates: Omit<KeySchedule, 'alg'>): StoredSigningKey {
  const id = randomUUID();
  return {
    id,
    kid: material.kid,
    alg,
    publicJwk: material.publicJwk as Record<string, unknown>,
    privateJwk: sealText(customerKey, privateJwkAad(id), JSON.stringify(material.privateJwk)),
    ...dates,
  };
}

async function openKey(customerKey: Buffer, row: StoredSigningKey): Promise<OpenedKey> {
  const privateJwk = JSON.parse(openText(customerKey, privateJwkAad(row.id), row.privateJwk)) as JWK;
  const privateKey = (await importJWK(privateJwk, row.alg)) as CryptoKey;
  return {
    id: row.id,
    kid: row.kid,
    alg: row.alg,
    publicJwk: publicPart(row.publicJwk as JWK),
    privateKey,
    createdAt: row.createdAt,
    activatesAt: row.activatesAt,
    retiresAt: row.retiresAt,
    expiresAt: row.expiresAt,
  };
}
