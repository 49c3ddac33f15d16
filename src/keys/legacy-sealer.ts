import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../shared/logger';
import { openText, sealText } from './field-cipher';
import { isSealed } from './person-sealing';
import type { KeyRing, PersonKey } from './key-ring';
import { attributeDigest, claimedIdentityKey, profileAad, requestAad, usernameAad } from './person-values';
import * as rows from './legacy-rows.repository';

/** Rows sealed by one batch, per table. */
export type SealCounts = Record<'profile' | 'auth_request' | 'consent_decision' | 'oauth_login_code', number>;


/**
 * The upgrade to encryption at rest: seals, a batch at a time, the values written in clear before
 * it (profiles, auth requests, consent decisions, login codes), under each person's key, with the
 * keyed hashes lookups need. Runs in the unit of work its caller opened (the platform path) while
 * the service keeps working: a login meanwhile writes sealed values itself, rows are taken with
 * SKIP LOCKED, and a value already sealed is left as it is, so runs can stop and start anywhere.
 */
export class LegacySealer {
  constructor(private readonly deps: { em: EntityManager; keys: KeyRing; subjectHash: (customerId: string, username: string) => string; log: Logger }) {}

  async sealProfiles(limit: number): Promise<number> {
    const batch = await rows.selectUnsealedProfiles(this.deps.em, limit);
    for (const row of batch) {
      const person = await this.personOf(row.customer_id, row.person_key_id, row.username);
      if (!person || person.profileId !== row.id) {
        // Erased meanwhile (its key is gone), or its person's key names another profile: nothing to seal it under.
        this.deps.log.warn({ profileId: row.id }, 'profile left unsealed: its person has no key for it');
        await rows.markProfileSkipped(this.deps.em, row.id);
        continue;
      }
      const customer = await this.deps.keys.customer(row.customer_id);
      const digests = { ...(row.attribute_digests ?? {}) };
      let emailHash = row.email_hash;
      const values = {} as Record<rows.SregColumn, string | null>;
      for (const column of rows.SREG_COLUMNS) {
        const value = row[column];
        if (value === null || isSealed(value)) {
          values[column] = value;
          continue;
        }
        values[column] = sealText(person.key, profileAad(row.id, column), value);
        digests[column] = attributeDigest(person, column, value);
        if (column === 'email') emailHash = this.deps.keys.lookupHash(customer, 'email', value);
      }
      await rows.updateSealedProfile(this.deps.em, {
        id: row.id,
        username: isSealed(row.username) ? row.username : sealText(person.key, usernameAad(person.id), row.username),
        usernameHash: isSealed(row.username) ? await this.usernameHashOf(person, row.username) : this.deps.keys.lookupHash(customer, 'username', row.username),
        emailHash,
        personKeyId: person.id,
        digests,
        values,
      });
    }
    return batch.length;
  }

  async sealRequests(limit: number): Promise<number> {
    const batch = await rows.selectUnsealedRequests(this.deps.em, limit);
    for (const row of batch) {
      const person = await this.personOf(row.customer_id, null, row.username);
      if (!person) continue;
      const customer = await this.deps.keys.customer(row.customer_id);
      const seal = (column: string, value: string) => (isSealed(value) ? value : sealText(person.key, requestAad(row.request_id_hash, column), value));
      const { usernameHint, ...stored } = row.openid_request as { usernameHint?: unknown; input?: { claimedId?: string; identity?: string } } & Record<string, unknown>;
      // A request naming a user keeps its identifiers sealed under the customer's key, as the login stores them now.
      const named = typeof usernameHint === 'string' && stored.input !== undefined;
      const identity = named
        ? {
            input: { ...stored.input, claimedId: '', identity: '' },
            sealedIdentity: sealText(
              claimedIdentityKey(customer.key, usernameHint as string),
              requestAad(row.request_id_hash, 'openid_request.identity'),
              JSON.stringify({ claimedId: stored.input!.claimedId, identity: stored.input!.identity }),
            ),
          }
        : {};
      await rows.updateSealedRequest(this.deps.em, {
        id: row.id,
        username: sealText(person.key, usernameAad(person.id), row.username),
        usernameHash: this.deps.keys.lookupHash(customer, 'username', row.username),
        personKeyId: person.id,
        supplied: row.supplied === null ? null : Object.fromEntries(Object.entries(row.supplied).map(([f, v]) => [f, seal(`supplied.${f}`, v)])),
        blob: row.blob === null ? null : seal('blob', row.blob),
        openidRequest: {
          ...stored,
          ...identity,
          usernameHintHash: typeof usernameHint === 'string' ? this.deps.keys.lookupHash(customer, 'username', usernameHint) : (stored.usernameHintHash ?? null),
        },
      });
    }
    return batch.length;
  }

  async sealNamed(table: rows.NamedTable, limit: number): Promise<number> {
    const batch = await rows.selectUnsealedNamed(this.deps.em, table, limit);
    for (const row of batch) {
      const person = await this.personOf(row.customer_id, null, row.username);
      if (!person) continue;
      const customer = await this.deps.keys.customer(row.customer_id);
      await rows.updateSealedNamed(this.deps.em, table, {
        id: row.id,
        username: sealText(person.key, usernameAad(person.id), row.username),
        usernameHash: this.deps.keys.lookupHash(customer, 'username', row.username),
        personKeyId: person.id,
      });
    }
    return batch.length;
  }

  countLeft(): Promise<Record<string, number>> {
    return rows.countUnsealed(this.deps.em);
  }

  /** The key of the row's person: the one it names, or the one of its clear username (made if need be). */
  private async personOf(customerId: string, personKeyId: string | null, username: string): Promise<PersonKey | null> {
    if (personKeyId !== null) return this.deps.keys.personById(customerId, personKeyId);
    if (isSealed(username)) return null;
    return this.deps.keys.person(customerId, username, this.deps.subjectHash(customerId, username));
  }

  private async usernameHashOf(person: PersonKey, sealedUsername: string): Promise<string> {
    return this.deps.keys.lookupHash(await this.deps.keys.customer(person.customerId), 'username', openText(person.key, usernameAad(person.id), sealedUsername));
  }
}
