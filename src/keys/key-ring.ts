import { randomUUID } from 'node:crypto';
import type { SqlPool } from '../db/sql-pool';
import type { Clock } from '../shared/clock';
import { LookupKind, lookupHash, newDataKey, subkey, unwrapPersonKey, wrapPersonKey } from './field-cipher';
import type { KeyProvider } from './key-provider';
import * as repo from './keyring.repository';

/** A customer's data key, unwrapped, and its subkey for lookup hashes. */
export interface CustomerKeys {
  readonly customerId: string;
  readonly key: Buffer;
  readonly lookupKey: Buffer;
}

/** A person's data key, unwrapped: everything of theirs at rest is sealed under `key`. */
export interface PersonKey {
  readonly id: string;
  readonly customerId: string;
  /** Their profile's id, fixed when the key is made, so values can be bound to the row before it exists. */
  readonly profileId: string;
  readonly key: Buffer;
  /** Keyed digests of their attributes, to tell a changed value from an unchanged one without reading it. */
  readonly digestKey: Buffer;
}

export class CustomerKeyMissingError extends Error {
  constructor(readonly customerId: string) {
    super('the customer has no data key (it was erased)');
    this.name = 'CustomerKeyMissingError';
  }
}

export interface KeyRingDeps {
  pool: SqlPool;
  provider: KeyProvider;
  clock: Clock;
  /** How long an unwrapped key is kept in memory (0: not at all). */
  cacheSeconds: number;
  /** Most person keys kept in memory; the oldest go first. */
  maxCachedPeople?: number;
}

/**
 * The key hierarchy (envelope encryption): the KEK (KeyProvider) wraps one data key per customer;
 * each customer key wraps one data key per person. Wrapped keys live in the keyring schema;
 * unwrapped ones are cached here for `cacheSeconds`, so a login costs no key round trip after its
 * person's first, and no KMS call after its customer's first.
 */
export class KeyRing {
  readonly #customers = new Map<string, { keys: CustomerKeys; until: number }>();
  readonly #people = new Map<string, { key: PersonKey; until: number }>();
  readonly #byUsername = new Map<string, string>();
  readonly #pending = new Map<string, Promise<CustomerKeys>>();

  constructor(private readonly deps: KeyRingDeps) {}

  get provider(): KeyProvider {
    return this.deps.provider;
  }

  /** The customer's keys, made on first use. Throws CustomerKeyMissingError for a customer that no longer exists. */
  async customer(customerId: string): Promise<CustomerKeys> {
    const cached = this.#customers.get(customerId);
    if (cached && cached.until > this.now()) return cached.keys;
    const pending = this.#pending.get(customerId);
    if (pending) return pending;
    const loading = this.loadCustomer(customerId).finally(() => this.#pending.delete(customerId));
    this.#pending.set(customerId, loading);
    return loading;
  }

  lookupHash(keys: CustomerKeys, kind: LookupKind, value: string): string {
    return lookupHash(keys.lookupKey, kind, value);
  }

  /**
   * The person's key as this process knows it, or else a new one with its wrapped form, for a write
   * that stores it in its own transaction (the postback stores it only after the AW's API key).
   */
  personOrNew(customer: CustomerKeys, usernameHash: string): { person: PersonKey; wrapped: Buffer | null } {
    const known = this.#byUsername.get(`${customer.customerId}\n${usernameHash}`);
    const cached = known === undefined ? undefined : this.#people.get(known);
    if (cached && cached.until > this.now()) return { person: cached.key, wrapped: null };
    const id = randomUUID();
    const key = newDataKey();
    const wrapped = wrapPersonKey(customer.key, id, key);
    return { person: { id, customerId: customer.customerId, profileId: randomUUID(), key, digestKey: subkey(key, 'attribute-digest') }, wrapped };
  }

  /** A stored person key the database answered with (after a write found another one stored first). */
  adopt(customer: CustomerKeys, usernameHash: string, stored: repo.StoredPersonKey): PersonKey {
    const person = this.remember(customer, stored);
    this.rememberName(customer.customerId, usernameHash, person.id);
    return person;
  }

  /** Records that a new key was stored (the write that carried it succeeded). */
  stored(customer: CustomerKeys, usernameHash: string, person: PersonKey, wrapped: Buffer): void {
    this.adopt(customer, usernameHash, { id: person.id, profileId: person.profileId, wrapped });
  }

  /** The person's key, made (with their profile id) the first time they are seen. */
  async person(customerId: string, username: string, subjectHash: string): Promise<PersonKey> {
    const customer = await this.customer(customerId);
    const usernameHash = this.lookupHash(customer, 'username', username);
    const { person, wrapped } = this.personOrNew(customer, usernameHash);
    if (!wrapped) return person;
    const stored = await repo.personKeyFor(this.deps.pool, {
      customerId,
      usernameHash,
      subjectHash,
      id: person.id,
      profileId: person.profileId,
      wrapped,
      legacyUsername: username,
    });
    if (!stored) throw new CustomerKeyMissingError(customerId);
    return this.adopt(customer, usernameHash, stored);
  }

  /** The stored keys among `ids`; a shredded (erased) person's is absent from the answer. */
  async people(customerId: string, ids: Iterable<string>): Promise<Map<string, PersonKey>> {
    const found = new Map<string, PersonKey>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const cached = this.#people.get(id);
      if (cached && cached.until > this.now() && cached.key.customerId === customerId) found.set(id, cached.key);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const customer = await this.customer(customerId);
      for (const stored of await repo.selectPersonKeys(this.deps.pool, customerId, missing)) found.set(stored.id, this.remember(customer, stored));
    }
    return found;
  }

  async personById(customerId: string, id: string): Promise<PersonKey | null> {
    return (await this.people(customerId, [id])).get(id) ?? null;
  }

  /** The person's key by their audit subject hash, or null when they have none (never seen, or erased). */
  async personBySubject(customerId: string, subjectHash: string): Promise<PersonKey | null> {
    const stored = await repo.selectPersonKeyBySubject(this.deps.pool, customerId, subjectHash);
    return stored ? this.remember(await this.customer(customerId), stored) : null;
  }

  /** The keys of the people among `subjectHashes` (by audit subject hash), in one round trip; those without one are absent. */
  async peopleBySubject(customerId: string, subjectHashes: Iterable<string>): Promise<Map<string, PersonKey>> {
    const wanted = [...new Set(subjectHashes)];
    const found = new Map<string, PersonKey>();
    if (wanted.length === 0) return found;
    const customer = await this.customer(customerId);
    for (const stored of await repo.selectPersonKeysBySubjects(this.deps.pool, customerId, wanted)) found.set(stored.subjectHash, this.remember(customer, stored));
    return found;
  }

  /** A change from the database's feed (db/change-feed.ts): a key deleted anywhere leaves this cache at once. */
  onChange(change: string): void {
    if (change.startsWith('person_key:')) this.forgetPerson(change.slice('person_key:'.length));
    else if (change.startsWith('customer_key:')) this.forgetCustomer(change.slice('customer_key:'.length));
    else if (change === 'keys:*' || change === 'reset') this.forgetAll();
  }

  forgetAll(): void {
    this.#customers.clear();
    this.#people.clear();
    this.#byUsername.clear();
  }

  /** Drops a person's key from memory (after their erasure, or when the database says it is gone). */
  forgetPerson(id: string): void {
    this.#people.delete(id);
  }

  forgetCustomer(customerId: string): void {
    this.#customers.delete(customerId);
    for (const [id, entry] of this.#people) if (entry.key.customerId === customerId) this.#people.delete(id);
  }

  private async loadCustomer(customerId: string): Promise<CustomerKeys> {
    const context = customerContext(customerId);
    let stored = await repo.selectCustomerKey(this.deps.pool, customerId);
    if (!stored) {
      const wrapped = await this.deps.provider.wrap(newDataKey(), context);
      stored = await repo.insertCustomerKey(this.deps.pool, customerId, { version: wrapped.version, wrapped: wrapped.ciphertext });
      if (!stored) throw new CustomerKeyMissingError(customerId);
    }
    const key = await this.deps.provider.unwrap({ version: stored.version, ciphertext: stored.wrapped }, context);
    const keys: CustomerKeys = { customerId, key, lookupKey: subkey(key, 'lookup-hash') };
    if (this.deps.cacheSeconds > 0) this.#customers.set(customerId, { keys, until: this.now() + this.deps.cacheSeconds * 1000 });
    return keys;
  }

  private remember(customer: CustomerKeys, stored: repo.StoredPersonKey): PersonKey {
    const key = unwrapPersonKey(customer.key, stored.id, stored.wrapped);
    const person: PersonKey = { id: stored.id, customerId: customer.customerId, profileId: stored.profileId, key, digestKey: subkey(key, 'attribute-digest') };
    if (this.deps.cacheSeconds > 0) {
      this.#people.delete(stored.id);
      this.#people.set(stored.id, { key: person, until: this.now() + this.deps.cacheSeconds * 1000 });
      const max = this.deps.maxCachedPeople ?? 50_000;
      if (this.#people.size > max) this.#people.delete(this.#people.keys().next().value!);
    }
    return person;
  }

  private rememberName(customerId: string, usernameHash: string, id: string): void {
    if (this.deps.cacheSeconds <= 0) return;
    const name = `${customerId}\n${usernameHash}`;
    this.#byUsername.delete(name);
    this.#byUsername.set(name, id);
    if (this.#byUsername.size > (this.deps.maxCachedPeople ?? 50_000)) this.#byUsername.delete(this.#byUsername.keys().next().value!);
  }

  private now(): number {
    return this.deps.clock.now().getTime();
  }
}

/** What a customer key is bound to when wrapped by the KEK. */
export function customerContext(customerId: string): string {
  return `customer:${customerId}`;
}
