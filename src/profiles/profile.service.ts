import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { normaliseSregValue, SREG_FIELDS, SregField, SregValues } from '../openid';
import { Clock } from '../shared/clock';
import { NotFoundError, ValidationError } from '../shared/errors';
import { checkPageSize, decodeCursor, Page, toPage } from '../shared/pagination';
import { customerWhere, subjectWhere, Tenant } from '../shared/tenant';
import { Profile } from './profile.entity';
import { ProfilePageQuery, ProfileRecord, recordProfile, selectProfilePage, selectRestrictedPeople } from './profile.repository';
import { isUuid } from '../shared/ids';
import { AuditService, FieldChange } from '../audit';
import { ProfileRestrictedError } from './profile.errors';
import { disclosureOf, PersonRef, personKey, RestrictionLookup } from './disclosure';
import { currentActor } from '../audit/actor';

export interface ProfileServiceDeps {
  em: EntityManager;
  clock: Clock;
  audit: AuditService;
}

export interface ProfileFilter {
  username?: string | null;
  email?: string | null;
  updatedSince?: Date | null;
}

/** A rectification: a field given as a string is set (after normalising), as null cleared, absent kept. */
export type ProfileChanges = Partial<Record<SregField, string | null>>;


/** Profile records kept from the AW's postbacks, read and rectified through the API per tenant. */
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
   * 'record'). The postback's own statement does the same through the same SQL function
   * (`ids_profile_record`, see profile.repository.ts).
   */
  async recordFromPostback(customerId: string, username: string, supplied: SregValues, now: Date, facts: { isMinor?: boolean } = {}): Promise<void> {
    await recordProfile(this.deps.em, {
      customerId,
      username,
      record: disclosureOf({ isMinor: facts.isMinor }, 'record').attributes ? supplied : {},
      isMinor: facts.isMinor === true,
      restrictedRecords: disclosureOf({ isMinor: facts.isMinor, isRestricted: true }, 'record').attributes,
      now,
      subjectHash: this.deps.audit.subjectHash(customerId, username),
      actor: currentActor(),
    });
  }

  /** Of `people`, the keys (`personKey`) of those whose processing is restricted; one query, grouped by customer. */
  async restrictedAmong(people: readonly PersonRef[]): Promise<Set<string>> {
    const byCustomer = new Map<string, Set<string>>();
    for (const p of people) byCustomer.set(p.customerId, (byCustomer.get(p.customerId) ?? new Set()).add(p.username));
    if (byCustomer.size === 0) return new Set();
    const rows = await selectRestrictedPeople(this.deps.em, byCustomer);
    return new Set(rows.map((r) => personKey({ customerId: r.customer_id, username: r.username })));
  }

  /**
   * Profiles `tenant` may see, oldest first, in one query per page: plain records, no entities
   * (read-only, and a page of entities cost more to hydrate and check at commit than to query).
   */
  async list(filter: ProfileFilter, first: number, after: string | null | undefined, tenant: Tenant): Promise<Page<ProfileRecord>> {
    checkPageSize(first);
    const query: ProfilePageQuery = { limit: first + 1 };
    if (after) query.after = decodeCursor(after);
    const { customer } = customerWhere(tenant);
    const { username } = subjectWhere(tenant);
    if (customer !== undefined) query.customerId = customer;
    if (username !== undefined) query.username = username;
    if (filter.username) {
      // A user-bound caller asking for another user finds nothing, never that other user.
      if (query.username !== undefined && query.username !== filter.username) return toPage([], first);
      query.username = filter.username;
    }
    // Matching on a restricted person's address is processing it: such a profile never matches (see the repository).
    if (filter.email) query.email = filter.email;
    if (filter.updatedSince) query.updatedSince = filter.updatedSince;
    return toPage(await selectProfilePage(this.deps.em, query), first);
  }

  /** One profile, or null when missing, malformed or another tenant's. */
  async get(id: string, tenant: Tenant): Promise<Profile | null> {
    if (!isUuid(id)) return null;
    return this.deps.em.findOne(Profile, { id: id.toLowerCase(), ...customerWhere(tenant), ...subjectWhere(tenant) });
  }

  /** A customer's user by the AW's username, or null (also when `tenant` may not see that customer). */
  async getByUsername(customerId: string, username: string, tenant: Tenant): Promise<Profile | null> {
    if (!isUuid(customerId)) return null;
    const id = customerId.toLowerCase();
    if (tenant.kind === 'customer' && tenant.customerId !== id) return null;
    if (tenant.kind === 'customer' && tenant.subject !== undefined && tenant.subject !== username) return null;
    return this.deps.em.findOne(Profile, { customer: id, username });
  }

  /**
   * Rectification (GDPR art. 16): validates every given field first, so an invalid value writes
   * nothing, then changes only those fields. Another tenant's profile is NOT_FOUND; a restricted
   * one is PROFILE_RESTRICTED.
   */
  async update(id: string, changes: ProfileChanges, tenant: Tenant): Promise<Profile> {
    const values = normaliseChanges(changes);
    return this.deps.em.transactional(async (em) => {
      const profile = await this.lockVisible(em, id, tenant);
      if (profile.restrictedAt !== null) throw new ProfileRestrictedError(profile.id);
      const changes: Record<string, FieldChange> = {};
      for (const [field, value] of Object.entries(values) as Array<[SregField, string | null]>) {
        if (profile[field] !== value) changes[field] = { old: profile[field], new: value };
      }
      if (Object.keys(changes).length === 0) return profile;
      em.assign(profile, { ...values, updatedAt: this.deps.clock.now() });
      await this.deps.audit.record({ customerId: profile.customer.id, action: 'profile.updated', target: { type: 'profile', id: profile.id }, username: profile.username, changes });
      return profile;
    });
  }

  /**
   * Restricts processing of a profile (GDPR art. 18) or lifts the restriction. Setting the state it
   * already has writes and audits nothing; a change is audited as `profile.restricted` or
   * `profile.unrestricted`, naming the person but carrying no field values. Another tenant's
   * profile is NOT_FOUND.
   */
  async setRestriction(id: string, restricted: boolean, tenant: Tenant): Promise<Profile> {
    return this.deps.em.transactional(async (em) => {
      const profile = await this.lockVisible(em, id, tenant);
      if ((profile.restrictedAt !== null) === restricted) return profile;
      profile.restrictedAt = restricted ? this.deps.clock.now() : null;
      await this.deps.audit.record({
        customerId: profile.customer.id,
        action: restricted ? 'profile.restricted' : 'profile.unrestricted',
        target: { type: 'profile', id: profile.id },
        username: profile.username,
      });
      return profile;
    });
  }

  /** The profile `tenant` may see, locked for the rest of the transaction; NOT_FOUND otherwise. */
  private async lockVisible(em: EntityManager, id: string, tenant: Tenant): Promise<Profile> {
    const profile = isUuid(id)
      ? await em.findOne(Profile, { id: id.toLowerCase(), ...customerWhere(tenant), ...subjectWhere(tenant) }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
      : null;
    if (!profile) throw new NotFoundError('profile', id);
    return profile;
  }
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
