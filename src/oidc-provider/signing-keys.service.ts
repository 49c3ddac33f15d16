import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { compactVerify, createLocalJWKSet, CryptoKey, errors, importJWK, JWK, jwtVerify, JWTPayload, SignJWT } from 'jose';
import { ID_TOKEN_ALGS, IdTokenAlg } from '../oauth/oauth-client.entity';
import { customerScope, Database } from '../db/scope';
import { fieldAad, KeyRing, openText, sealText } from '../keys';
import type { AuditService } from '../audit';
import { Customer, CustomerNotFoundError } from '../customers';
import type { Clock } from '../shared/clock';
import { isUuid } from '../shared/ids';
import { canSee, Tenant } from '../shared/tenant';
import type { IdTokenSigner } from './id-token-signer';
import { KeySet, OpenedKey, SigningKeyCache } from './signing-key-cache';
import { generateKeyMaterial, NewKeyMaterial, publicPart } from './signing-key-material';
import { firstKeyDates, isPublished, KeySchedule, keyStatus, KeyStatus, RotationSettings, rotationPlan, signingKey } from './signing-key-schedule';
import { hasSigningKey, insertSigningKey, lockSigningKeys, retireKeys, selectLiveKeys, StoredSigningKey } from './signing-keys.repository';

export interface OidcSigningKeysDeps {
  db: Database;
  em: EntityManager;
  keys: KeyRing;
  clock: Clock;
  audit: AuditService;
  rotation: RotationSettings;
  /** Longest a customer's key set is kept without reading it again (the change feed drops it sooner). */
  cacheMaxAgeMs: number;
  /** Most customers whose keys are kept in memory; the oldest loaded go first. */
  maxCachedCustomers?: number;
}

/** A key as operators see it: its dates and where it stands now, never its key material. */
export interface SigningKeyInfo extends KeySchedule {
  readonly kid: string;
  readonly status: Exclude<KeyStatus, 'EXPIRED'>;
}

/** Where a private key is sealed: a sealed key copied to another row does not open. */
export const privateJwkAad = (id: string): string => fieldAad('oidc_signing_key', 'private_jwk', id);

const ALGORITHMS = [...ID_TOKEN_ALGS];

/**
 * The customers' ID token signing keys (issue 19): made on first use, sealed at rest under the
 * customer's data key, rotated on request (published before they sign, published after they retire
 * until no token they signed is valid), and opened once per instance (signing-key-cache.ts), since
 * every token request signs. What signs and what is published follows the schedule by the clock
 * (signing-key-schedule.ts), without a read.
 *
 * `sign`, `jwks` and `verifyOwn` run their reads and the first key in units of work of their own,
 * scoped to the customer: a key made on first use is committed before anything is signed with it,
 * whatever becomes of the caller's work. `rotate` and `list` run in the caller's (an operation's).
 */
export class OidcSigningKeys implements IdTokenSigner {
  readonly #cache: SigningKeyCache;
  readonly #creating = new Map<string, Promise<void>>();

  constructor(private readonly deps: OidcSigningKeysDeps) {
    this.#cache = new SigningKeyCache((customerId) => this.load(customerId), {
      clock: deps.clock,
      maxAgeMs: deps.cacheMaxAgeMs,
      maxEntries: deps.maxCachedCustomers ?? 10_000,
    });
  }

  /** A compact JWS of `payload` under the customer's signing key for `alg`, made on first use; header `{alg, kid, typ}`. */
  async sign(customerId: string, alg: IdTokenAlg, payload: JWTPayload, typ?: string): Promise<string> {
    let key = signingKey((await this.#cache.get(customerId)).keys, alg, this.now());
    if (!key) {
      await this.createFirstKey(customerId, alg);
      key = signingKey((await this.#cache.get(customerId)).keys, alg, this.now());
    }
    if (!key) throw new Error(`customer ${customerId} has no ${alg} signing key`);
    return new SignJWT(payload).setProtectedHeader({ alg, kid: key.kid, typ: typ ?? 'JWT' }).sign(key.privateKey);
  }

  /**
   * The customer's published public keys of both algorithms: upcoming, signing, and retired until
   * they expire. Publishing is a use: a customer without keys gets them here, so a relying party
   * that reads the JWKS before the first sign-in already holds the key that will sign it.
   */
  async jwks(customerId: string): Promise<{ keys: JWK[] }> {
    let set = await this.#cache.get(customerId);
    const missing = ALGORITHMS.filter((alg) => !signingKey(set.keys, alg, this.now()));
    if (missing.length > 0) {
      await Promise.all(missing.map((alg) => this.createFirstKey(customerId, alg)));
      set = await this.#cache.get(customerId);
    }
    return { keys: this.published(set) };
  }

  /**
   * The payload of a JWS this customer signed with one of its published keys and whose `iss` is
   * `issuer`; with `allowExpired`, also when its `exp` has passed (an `id_token_hint`). Null for
   * anything else: another issuer's token, an unknown or expired key, a bad signature, garbage.
   */
  async verifyOwn(customerId: string, jws: string, options: { issuer: string; allowExpired: boolean }): Promise<JWTPayload | null> {
    const keys = this.published(await this.#cache.get(customerId));
    if (keys.length === 0) return null;
    const keySet = createLocalJWKSet({ keys });
    try {
      return (await jwtVerify(jws, keySet, { issuer: options.issuer, algorithms: ALGORITHMS, currentDate: this.now() })).payload;
    } catch (err) {
      if (!(err instanceof errors.JOSEError)) throw err;
      // jose checks `iss` before `exp`: an expired token got here past its signature and issuer.
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

  /**
   * Rotates the customer's key of `alg` (of both when omitted), in the current unit of work: a new
   * key is published now and signs from `publishSeconds` later; the keys it replaces retire at that
   * instant and stay published `retiredSeconds` more. A customer without a key of `alg` gets one
   * that signs at once. Answers the new keys.
   */
  async rotate(customerId: string, tenant: Tenant, alg?: IdTokenAlg): Promise<SigningKeyInfo[]> {
    const customer = await this.findCustomer(customerId, tenant);
    const algs = alg ? [alg] : ALGORITHMS;
    const materials = await Promise.all(algs.map((a) => generateKeyMaterial(a)));
    const customerKey = (await this.deps.keys.customer(customer.id)).key;
    const made: SigningKeyInfo[] = [];
    for (const [at, a] of algs.entries()) {
      await lockSigningKeys(this.deps.em, customer.id, a);
      const now = this.now();
      const plan = rotationPlan(now, this.deps.rotation);
      const retired = await retireKeys(this.deps.em, customer.id, a, plan.retiresAt, plan.expiresAt);
      // Nothing signed that it replaces (no key yet, or all retired): nobody to wait for, it signs at once.
      const key = sealedKey(customerKey, a, materials[at]!, retired.length > 0 ? plan.next : firstKeyDates(now));
      await insertSigningKey(this.deps.em, customer.id, key);
      await this.deps.audit.record({
        customerId: customer.id,
        action: 'oidc_signing_key.rotated',
        target: { type: 'oidc_signing_key', id: key.id },
        details: { kid: key.kid, alg: a, activatesAt: key.activatesAt.toISOString(), retiredKids: retired },
      });
      made.push(infoOf(key, now));
    }
    this.deps.db.afterCommit(async () => this.#cache.forget(customer.id));
    return made;
  }

  /** The customer's keys not yet expired, newest first, with their status now; in the current unit of work. */
  async list(customerId: string, tenant: Tenant): Promise<SigningKeyInfo[]> {
    const customer = await this.findCustomer(customerId, tenant);
    const now = this.now();
    const rows = await selectLiveKeys(this.deps.em, customer.id, now);
    return rows.reverse().map((row) => infoOf(row, now));
  }

  /** A change from the database's feed (db/change-feed.ts): `oidc_keys:<customer id>` drops that customer's keys, `reset` all. */
  onChange(change: string): void {
    this.#cache.onChange(change);
  }

  forgetAll(): void {
    this.#cache.forgetAll();
  }

  private published(set: KeySet): JWK[] {
    const now = this.now();
    return set.keys.filter((key) => isPublished(key, now)).map((key) => ({ ...key.publicJwk }));
  }

  private async load(customerId: string): Promise<KeySet> {
    const loadedAt = this.now();
    const rows = await this.deps.db.run(customerScope(customerId), () => selectLiveKeys(this.deps.em, customerId, loadedAt));
    if (rows.length === 0) return { keys: [], loadedAtMs: loadedAt.getTime() };
    const customerKey = (await this.deps.keys.customer(customerId)).key;
    return { keys: await Promise.all(rows.map((row) => openKey(customerKey, row))), loadedAtMs: loadedAt.getTime() };
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
      this.#cache.forget(customerId);
    })().finally(() => this.#creating.delete(name));
    this.#creating.set(name, creating);
    return creating;
  }

  private async findCustomer(id: string, tenant: Tenant): Promise<Customer> {
    const customer = isUuid(id) && canSee(tenant, id.toLowerCase()) ? await this.deps.em.findOne(Customer, { id: id.toLowerCase() }) : null;
    if (!customer) throw new CustomerNotFoundError(id);
    return customer;
  }

  private now(): Date {
    return this.deps.clock.now();
  }
}

/** A new key as stored: its private JWK sealed under the customer's data key, bound to the row. */
function sealedKey(customerKey: Buffer, alg: IdTokenAlg, material: NewKeyMaterial, dates: Omit<KeySchedule, 'alg'>): StoredSigningKey {
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
  return {
    id: row.id,
    kid: row.kid,
    alg: row.alg,
    publicJwk: publicPart(row.publicJwk as JWK),
    privateKey: (await importJWK(privateJwk, row.alg)) as CryptoKey,
    createdAt: row.createdAt,
    activatesAt: row.activatesAt,
    retiresAt: row.retiresAt,
    expiresAt: row.expiresAt,
  };
}

function infoOf(key: StoredSigningKey, now: Date): SigningKeyInfo {
  const { kid, alg, createdAt, activatesAt, retiresAt, expiresAt } = key;
  const status = keyStatus(key, now);
  return { kid, alg, createdAt, activatesAt, retiresAt, expiresAt, status: status === 'EXPIRED' ? 'RETIRED' : status };
}
