import { EntityManager } from '@mikro-orm/postgresql';
import { normaliseSregValue, SREG_FIELDS, SregField, SregValues } from '../openid';
import { Clock } from '../shared/clock';
import { NotFoundError, ValidationError } from '../shared/errors';
import { afterCursor, checkPageSize, Page, toPage } from '../shared/pagination';
import { customerWhere, subjectWhere, Tenant } from '../shared/tenant';
import { Profile } from './profile.entity';
import { isUuid } from '../shared/ids';

export interface ProfileServiceDeps {
  em: EntityManager;
  clock: Clock;
}

export interface ProfileFilter {
  username?: string | null;
  email?: string | null;
  updatedSince?: Date | null;
}

/** A rectification: a field given as a string is set (after normalising), as null cleared, absent kept. */
export type ProfileChanges = Partial<Record<SregField, string | null>>;


/** Profile records kept from the AW's postbacks, read and rectified through the API per tenant. */
export class ProfileService {
  constructor(private readonly deps: ProfileServiceDeps) {}

  /**
   * Creates the user's profile or updates it with the fields the AW sent this time; fields it did
   * not send keep their values. One statement, so concurrent postbacks for a new user cannot clash.
   */
  async recordFromPostback(em: EntityManager, customerId: string, username: string, supplied: SregValues, now: Date): Promise<void> {
    const fields = SREG_FIELDS.filter((field) => supplied[field] !== undefined);
    const columns = ['id', 'customer_id', 'username', ...fields, 'created_at', 'updated_at', 'last_seen_at'];
    const updates = [...fields.map((f) => `"${f}" = excluded."${f}"`), 'updated_at = excluded.updated_at', 'last_seen_at = excluded.last_seen_at'];
    await em.execute(
      `insert into profile (${columns.map((c) => `"${c}"`).join(', ')})
       values (gen_random_uuid(), ?, ?, ${fields.map(() => '?').join(', ')}${fields.length ? ', ' : ''}?, ?, ?)
       on conflict (customer_id, username) do update set ${updates.join(', ')}`,
      [customerId, username, ...fields.map((f) => supplied[f]!), now, now, now],
      'run',
    );
  }

  /** Profiles `tenant` may see, oldest first, in one query per page (no per-profile loading). */
  async list(filter: ProfileFilter, first: number, after: string | null | undefined, tenant: Tenant): Promise<Page<Profile>> {
    checkPageSize(first);
    const where: Record<string, unknown> = { ...afterCursor(after, 'createdAt', 'asc'), ...customerWhere(tenant), ...subjectWhere(tenant) };
    if (filter.username) {
      // A user-bound caller asking for another user finds nothing, never that other user.
      if (where.username !== undefined && where.username !== filter.username) return toPage([], first);
      where.username = filter.username;
    }
    if (filter.email) where.email = filter.email;
    if (filter.updatedSince) where.updatedAt = { $gte: filter.updatedSince };
    const rows = await this.deps.em.find(Profile, where, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: first + 1 });
    return toPage(rows, first);
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
   * nothing, then changes only those fields. Another tenant's profile is NOT_FOUND.
   */
  async update(id: string, changes: ProfileChanges, tenant: Tenant): Promise<Profile> {
    const values = normaliseChanges(changes);
    return this.deps.em.transactional(async (em) => {
      const profile = isUuid(id) ? await em.findOne(Profile, { id: id.toLowerCase(), ...customerWhere(tenant), ...subjectWhere(tenant) }) : null;
      if (!profile) throw new NotFoundError('profile', id);
      if (Object.keys(values).length > 0) em.assign(profile, { ...values, updatedAt: this.deps.clock.now() });
      return profile;
    });
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
