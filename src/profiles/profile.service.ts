import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { normaliseSregValue, SREG_FIELDS, SregField, SregValues } from '../openid';
import { Clock } from '../shared/clock';
import { NotFoundError, ValidationError } from '../shared/errors';
import { checkPageSize, decodeCursor, Page, toPage } from '../shared/pagination';
import { customerWhere, Tenant } from '../shared/tenant';
import { Profile } from './profile.entity';
import { ProfilePageQuery, ProfileRecord, recordProfile, selectProfilePage, selectRestrictedPeople, StoredProfileRecord } from './profile.repository';
import { KeyRing, lookupMatch, matchWhere, PersonKey, personKeysOf, sealPersonRecord } from '../keys';
import { Customer } from '../customers';
import { openProfile, sealProfileChanges, storedOf } from './profile-values';
import { isUuid } from '../shared/ids';
import { AuditService, FieldChange } from '../audit';
import { ProfileRestrictedError } from './profile.errors';
import { disclosureOf, PersonRef, personKey, RestrictionLookup } from './disclosure';
import { currentActor } from '../audit/actor';

export interface ProfileServiceDeps {
  em: EntityManager;
  clock: Clock;
  audit: AuditService;
  keys: KeyRing;
}

export interface ProfileFilter {
  /** Only this customer's profiles (a customer's caller always sees only its own). */
  customerId?: string | null;
  /** Exact only: matched by the username's keyed hash. */
  username?: string | null;
  /** Exact only: matched by the email's keyed hash. */
  email?: string | null;
  updatedSince?: Date | null;
}

/** A rectification: a field given as a string is set (after normalising), as null cleared, absent kept. */
export type ProfileChanges = Partial<Record<SregField, string | null>>;

/**
 * Profile records kept from the AW's postbacks, read and rectified through the API per tenant.
 * Their values are sealed under the person's key (issue 17): every read opens them, every write
 * seals, and a person is found by the keyed hash of their username (exact matches only).
 */
export class ProfileService implements RestrictionLookup {
  constructor(private readonly deps: ProfileServiceDeps) {}

  /**
   * Creates the user's profile or updates it with the fields the AW sent this time; fields it did
   * not send keep their values. Each real change is audited with its old and new values, in the
   * caller's transaction; a postback that changes nothing only moves `last_seen_at`. While the
   * profile is restricted (GDPR art. 18: storage only) the sent values are not recorded either:
   * only `last_seen_at` moves, since the sign-in itself still happens. For a child (COPPA) only the
   * username is kept: the sent values are dropped and any stored earlier are erased at once, with
   * the audit payloads that hold them. What may be kept is the disclosure rule's (`disclosureOf`,
   * 'record'). The values are sealed under the person's key as the postback seals them, and the
   * postback's own statement does the same through the same SQL function (`ids_profile_record`).
   */
  async recordFromPostback(customerId: string, username: string, supplied: SregValues, now: Date, facts: { isMinor?: boolean } = {}): Promise<void> {
    const subjectHash = this.deps.audit.subjectHash(customerId, username);
    const customer = await this.deps.keys.customer(customerId);
    const record = disclosureOf({ isMinor: facts.isMinor }, 'record').attributes ? supplied : {};
    // Once more with a fresh key when the one read was erased meanwhile (a second miss would mean another erasure).
    for (let attempt = 0; attempt < 2; attempt++) {
      const person = await this.deps.keys.person(customerId, username, subjectHash);
      const recorded = await recordProfile(this.deps.em, {
        customerId,
        ...sealPersonRecord(customer, this.deps.keys, person, username, record),
        isMinor: facts.isMinor === true,
        restrictedRecords: disclosureOf({ isMinor: facts.isMinor, isRestricted: true }, 'record').attributes,
        now,
        subjectHash,
        actor: currentActor(),
      });
      if (recorded) return;
      this.deps.keys.forgetPerson(person.id);
    }
    throw new Error('the person\'s key was erased twice while recording their profile');
  }

  /** Of `people` (clear usernames), the keys (`personKey`) of those whose processing is restricted; one query. */
  async restrictedAmong(people: readonly PersonRef[]): Promise<Set<string>> {
    if (people.length === 0) return new Set();
    const hashed = await Promise.all(
      people.map(async (p) => ({ ...p, usernameHash: this.deps.keys.lookupHash(await this.deps.keys.customer(p.customerId), 'username', p.username) })),
    );
    const rows = await selectRestrictedPeople(this.deps.em, hashed);
    return new Set(rows.map((r) => personKey({ customerId: r.customer_id, username: r.username })));
  }

  /**
   * Profiles `tenant` may see, oldest first, in one query per page: plain records, no entities
   * (read-only, and a page of entities cost more to hydrate and check at commit than to query),
   * opened with one key lookup per customer for the page. Username and email match exactly, by
   * their keyed hashes under each customer searched.
   */
  async list(filter: ProfileFilter, first: number, after: string | null | undefined, tenant: Tenant): Promise<Page<ProfileRecord>> {
    checkPageSize(first);
    const query: ProfilePageQuery = { limit: first + 1 };
    if (after) query.after = decodeCursor(after);
    const subject = tenant.kind === 'customer' ? tenant.subject : undefined;
    const customerId = customerOf(filter, tenant);
    if (customerId === null) return toPage([], first);
    if (customerId !== undefined) query.customerId = customerId;
    // A user-bound caller asking for another user finds nothing, never that other user.
    if (filter.username && subject !== undefined && subject !== filter.username) return toPage([], first);
    const username = filter.username || subject;
    if (username) query.person = await lookupMatch(this.deps.keys, await this.searched(customerId), 'username', username);
    // Matching on a restricted person's address is processing it: such a profile never matches (see the repository).
    if (filter.email) query.email = await lookupMatch(this.deps.keys, await this.searched(customerId), 'email', filter.email);
    if (filter.updatedSince) query.updatedSince = filter.updatedSince;
    const page = toPage(await selectProfilePage(this.deps.em, query), first);
    return { ...page, items: await this.open(page.items) };
  }

  /**
   * One profile entity, or null when missing, malformed or another tenant's. Its values are
   * stored sealed: show `read`'s answer, never the entity's fields.
   */
  async get(id: string, tenant: Tenant): Promise<Profile | null> {
    if (!isUuid(id)) return null;
    return this.deps.em.findOne(Profile, { id: id.toLowerCase(), ...customerWhere(tenant), ...(await this.subjectWhere(tenant)) });
  }

  /** One profile opened, or null when missing, malformed or another tenant's. */
  async read(id: string, tenant: Tenant): Promise<ProfileRecord | null> {
    const found = await this.get(id, tenant);
    return found ? (await this.open([storedOf(found)]))[0]! : null;
  }

  /** A customer's user by the AW's username (exact, by its keyed hash), or null (also when `tenant` may not see that customer). */
  async getByUsername(customerId: string, username: string, tenant: Tenant): Promise<ProfileRecord | null> {
    if (!isUuid(customerId)) return null;
    const id = customerId.toLowerCase();
    if (tenant.kind === 'customer' && tenant.customerId !== id) return null;
    if (tenant.kind === 'customer' && tenant.subject !== undefined && tenant.subject !== username) return null;
    const match = await lookupMatch(this.deps.keys, [id], 'username', username);
    const found = await this.deps.em.findOne(Profile, { customer: id, ...matchWhere(match, 'usernameHash', 'username') });
    return found ? (await this.open([storedOf(found)]))[0]! : null;
  }

  /**
   * Rectification (GDPR art. 16): validates every given field first, so an invalid value writes
   * nothing, then changes only those fields, sealed under the person's key with their keyed
   * digests (and the email's lookup hash). Another tenant's profile is NOT_FOUND; a restricted
   * one is PROFILE_RESTRICTED; one whose person was erased (key gone) is NOT_FOUND too.
   */
  async update(id: string, changes: ProfileChanges, tenant: Tenant): Promise<ProfileRecord> {
    const values = normaliseChanges(changes);
    return this.deps.em.transactional(async (em) => {
      const profile = await this.lockVisible(em, id, tenant);
      if (profile.restrictedAt !== null) throw new ProfileRestrictedError(profile.id);
      const person = await this.personOf(profile);
      const current = openProfile(storedOf(profile), person ?? undefined);
      if (profile.personKeyId !== null && !person) throw new NotFoundError('profile', id);
      const changed = (Object.entries(values) as Array<[SregField, string | null]>).filter(([field, value]) => current[field] !== value);
      if (changed.length === 0) return current;
      const sealed = person ? sealProfileChanges(profile, person, changed, await this.deps.keys.customer(profile.customer.id), this.deps.keys) : null;
      em.assign(profile, { ...(sealed?.assign ?? Object.fromEntries(changed)), updatedAt: this.deps.clock.now() });
      const audited: Record<string, FieldChange> = {};
      for (const [field, value] of changed) audited[field] = sealed ? sealed.changes(field, current[field], value) : { old: current[field], new: value };
      await this.deps.audit.record({ customerId: profile.customer.id, action: 'profile.updated', target: { type: 'profile', id: profile.id }, username: current.username, changes: audited });
      return { ...current, ...Object.fromEntries(changed), updatedAt: profile.updatedAt };
    });
  }

  /**
   * Restricts processing of a profile (GDPR art. 18) or lifts the restriction. Setting the state it
   * already has writes and audits nothing; a change is audited as `profile.restricted` or
   * `profile.unrestricted`, naming the person but carrying no field values. Another tenant's
   * profile is NOT_FOUND.
   */
  async setRestriction(id: string, restricted: boolean, tenant: Tenant): Promise<ProfileRecord> {
    return this.deps.em.transactional(async (em) => {
      const profile = await this.lockVisible(em, id, tenant);
      const current = openProfile(storedOf(profile), (await this.personOf(profile)) ?? undefined);
      if ((profile.restrictedAt !== null) === restricted) return current;
      profile.restrictedAt = restricted ? this.deps.clock.now() : null;
      await this.deps.audit.record({
        customerId: profile.customer.id,
        action: restricted ? 'profile.restricted' : 'profile.unrestricted',
        target: { type: 'profile', id: profile.id },
        username: current.username,
      });
      return { ...current, restrictedAt: profile.restrictedAt };
    });
  }

  /** The profile `tenant` may see, locked for the rest of the transaction; NOT_FOUND otherwise. */
  private async lockVisible(em: EntityManager, id: string, tenant: Tenant): Promise<Profile> {
    const profile = isUuid(id)
      ? await em.findOne(Profile, { id: id.toLowerCase(), ...customerWhere(tenant), ...(await this.subjectWhere(tenant)) }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
      : null;
    if (!profile) throw new NotFoundError('profile', id);
    return profile;
  }

  private async personOf(profile: Profile): Promise<PersonKey | null> {
    return profile.personKeyId === null ? null : this.deps.keys.personById(profile.customer.id, profile.personKeyId);
  }

  /** Stored records opened, with one key lookup per customer. */
  private async open(stored: readonly StoredProfileRecord[]): Promise<ProfileRecord[]> {
    const people = await personKeysOf(this.deps.keys, stored);
    return stored.map((s) => openProfile(s, s.personKeyId === null ? undefined : people.get(s.personKeyId)));
  }

  /** A user-bound tenant's one person, by their username's keyed hash. */
  private async subjectWhere(tenant: Tenant): Promise<Record<string, unknown>> {
    if (tenant.kind !== 'customer' || tenant.subject === undefined) return {};
    return matchWhere(await lookupMatch(this.deps.keys, [tenant.customerId], 'username', tenant.subject), 'usernameHash', 'username');
  }

  /** The customers a username or email is searched under: the one the page is limited to, or every customer. */
  private async searched(customerId: string | undefined): Promise<string[]> {
    if (customerId !== undefined) return [customerId];
    return (await this.deps.em.find(Customer, {}, { fields: ['id'] })).map((c) => c.id);
  }
}

/**
 * The one customer a page is limited to: the tenant's or the filter's, undefined for every
 * customer (the platform without one), null when the filter names a customer the tenant may not
 * see (an empty page, as for a customer that does not exist). A malformed id is refused.
 */
function customerOf(filter: ProfileFilter, tenant: Tenant): string | null | undefined {
  const asked = filter.customerId ? filter.customerId.toLowerCase() : undefined;
  if (asked !== undefined && !isUuid(asked)) throw new ValidationError('filter.customerId', 'customerId is not a valid id');
  if (tenant.kind === 'platform') return asked;
  return asked === undefined || asked === tenant.customerId ? tenant.customerId : null;
}

/** The sreg fields given in `changes`, normalised as a postback's would be; the first invalid one throws. */
function normaliseChanges(changes: ProfileChanges): ProfileChanges {
  const out: ProfileChanges = {};
  for (const field of SREG_FIELDS) {
    const value = changes[field];
    if (value === undefined) continue;
    if (value === null) {
      out[field] = null;
      continue;
    }
    const normalised = normaliseSregValue(field, value);
    if (normalised === undefined) throw new ValidationError(field, `${field} is not a valid Simple Registration value`);
    out[field] = normalised;
  }
  return out;
}
