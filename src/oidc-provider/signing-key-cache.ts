import type { CryptoKey, JWK } from 'jose';
import type { Clock } from '../shared/clock';
import type { KeySchedule } from './signing-key-schedule';

/** A live key with its private half opened. */
export interface OpenedKey extends KeySchedule {
  readonly id: string;
  readonly kid: string;
  readonly publicJwk: JWK;
  readonly privateKey: CryptoKey;
}

/** A customer's live keys as read at `loadedAtMs`, each with its dates: what signs and what is published follows from the clock. */
export interface KeySet {
  readonly keys: readonly OpenedKey[];
  readonly loadedAtMs: number;
}

export interface SigningKeyCacheOptions {
  clock: Clock;
  /** Longest a customer's key set is kept without reading it again (the change feed drops it sooner). */
  maxAgeMs: number;
  /** Most customers whose keys are kept; the oldest loaded go first. */
  maxEntries: number;
}

/**
 * The customers' opened signing keys, per instance: every token request signs, and opening a key
 * costs a read, the customer's data key and an import. A change of a customer's keys anywhere
 * (`oidc_keys:<customer id>` on the change feed) drops them, `reset` drops all; a load that began
 * before a drop serves its own callers but is not kept.
 */
export class SigningKeyCache {
  readonly #sets = new Map<string, KeySet>();
  readonly #loading = new Map<string, { promise: Promise<KeySet>; version: string }>();
  readonly #versions = new Map<string, number>();
  #epoch = 0;

  constructor(
    private readonly load: (customerId: string) => Promise<KeySet>,
    private readonly options: SigningKeyCacheOptions,
  ) {}

  /** The customer's live keys, from memory unless dropped or older than the maximum age. */
  get(customerId: string): Promise<KeySet> {
    const cached = this.#sets.get(customerId);
    if (cached && this.options.clock.now().getTime() - cached.loadedAtMs < this.options.maxAgeMs) return Promise.resolve(cached);
    const version = this.versionOf(customerId);
    const pending = this.#loading.get(customerId);
    if (pending && pending.version === version) return pending.promise;
    const promise = this.load(customerId).then((set) => {
      if (this.versionOf(customerId) === version) this.remember(customerId, set);
      return set;
    });
    const settled = () => {
      if (this.#loading.get(customerId)?.promise === promise) this.#loading.delete(customerId);
    };
    promise.then(settled, settled);
    this.#loading.set(customerId, { promise, version });
    return promise;
  }

  /** A change from the database's feed (db/change-feed.ts). */
  onChange(change: string): void {
    if (change.startsWith('oidc_keys:')) this.forget(change.slice('oidc_keys:'.length));
    else if (change === 'reset') this.forgetAll();
  }

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

  private remember(customerId: string, set: KeySet): void {
    this.#sets.delete(customerId);
    this.#sets.set(customerId, set);
    if (this.#sets.size > this.options.maxEntries) this.#sets.delete(this.#sets.keys().next().value!);
  }

  private versionOf(customerId: string): string {
    return `${this.#epoch}:${this.#versions.get(customerId) ?? 0}`;
  }
}
