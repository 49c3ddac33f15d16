import { EntityManager } from '@mikro-orm/postgresql';
import { ValidationError } from '../shared/errors';
import { customerWhere, Tenant } from '../shared/tenant';
import { afterCursor, checkPageSize, Page, toPage } from '../shared/pagination';
import { AuthRequest, AuthRequestTransition } from './auth-request.entity';
import { AuthRequestStatus } from './auth-request.state';
import { isUuid } from '../shared/ids';
import { KeyRing, lookupMatch, matchWhere, openStored, personKeysOf, usernameAad } from '../keys';
import { Customer } from '../customers';

/** What an RP can receive (the `outcome` column). */
export const AUTH_REQUEST_OUTCOMES = ['id_res', 'cancel', 'setup_needed'] as const;

export interface AuthRequestFilter {
  /** Only this customer's requests; a customer's caller naming another customer gets none. */
  customerId?: string | null;
  status?: AuthRequestStatus | null;
  outcome?: string | null;
  username?: string | null;
  realm?: string | null;
  protocol?: 'OPENID2' | 'OIDC' | 'ACCOUNT' | null;
  clientId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

export interface AuthRequestWithTimeline {
  request: AuthRequest;
  /** The request's username opened (`request.username` is sealed); null before the postback, or when the person's key is gone. */
  username: string | null;
  timeline: AuthRequestTransition[];
}

/** Read side of authentication requests, for inspection: newest first, with their timelines. */
export class AuthRequestQueries {
  constructor(
    private readonly em: EntityManager,
    private readonly keys: KeyRing,
  ) {}

  /** Requests `tenant` may see, newest first; the username filter is exact only (by its keyed hash). */
  async list(filter: AuthRequestFilter, first: number, after: string | null | undefined, tenant: Tenant): Promise<Page<AuthRequestWithTimeline>> {
    checkPageSize(first);
    if (filter.from && filter.to && filter.from > filter.to) throw new ValidationError('filter.to', 'to must not be before from');
    if (filter.customerId && !isUuid(filter.customerId)) throw new ValidationError('filter.customerId', 'customerId must be a customer id (a UUID)');
    if (filter.outcome && !(AUTH_REQUEST_OUTCOMES as readonly string[]).includes(filter.outcome)) {
      throw new ValidationError('filter.outcome', `outcome must be one of ${AUTH_REQUEST_OUTCOMES.join(', ')}`);
    }
    // Ids are compared as stored (lower case), whatever case the caller wrote.
    if (filter.customerId) filter = { ...filter, customerId: filter.customerId.toLowerCase() };
    // Another customer's requests look like none at all, as for a customer's caller everywhere else.
    if (tenant.kind === 'customer' && filter.customerId && filter.customerId !== tenant.customerId) return toPage([], first);
    const where: Record<string, unknown> = { ...afterCursor(after, 'createdAt', 'desc'), ...customerWhere(tenant) };
    if (filter.customerId) where.customer = filter.customerId;
    if (filter.status) where.status = filter.status;
    if (filter.outcome) where.outcome = filter.outcome;
    if (filter.username) {
      const customers =
        tenant.kind === 'customer' ? [tenant.customerId] : filter.customerId ? [filter.customerId] : (await this.em.find(Customer, {}, { fields: ['id'] })).map((c) => c.id);
      // Beside the cursor's own `$or`, not over it.
      where.$and = [matchWhere(await lookupMatch(this.keys, customers, 'username', filter.username), 'usernameHash', 'username')];
    }
    if (filter.realm) where.realm = filter.realm;
    if (filter.protocol) where.mode = filter.protocol === 'OIDC' ? 'oidc' : filter.protocol === 'ACCOUNT' ? 'account' : { $nin: ['oidc', 'account'] };
    if (filter.clientId) Object.assign(where, { mode: 'oidc', openidRequest: { oidc: { clientId: filter.clientId } } });
    if (filter.from || filter.to) where.createdAt = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lte: filter.to } : {}) };
    const rows = await this.em.find(AuthRequest, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: first + 1 });
    const page = toPage(rows, first);
    const timelines = await this.timelines(page.items.map((r) => r.id));
    const usernames = await this.usernames(page.items);
    return { ...page, items: page.items.map((request) => ({ request, username: usernames.get(request.id) ?? null, timeline: timelines.get(request.id) ?? [] })) };
  }

  /** One request with its timeline, or null when missing or another tenant's. */
  async get(id: string, tenant: Tenant): Promise<AuthRequestWithTimeline | null> {
    if (!isUuid(id)) return null;
    const request = await this.em.findOne(AuthRequest, { id, ...customerWhere(tenant) });
    if (!request) return null;
    return { request, username: (await this.usernames([request])).get(request.id) ?? null, timeline: (await this.timelines([id])).get(id) ?? [] };
  }

  /**
   * Each request's username opened under its person's key (`person.username:<key id>`), one key
   * lookup per customer; a request stored before encryption holds it in clear, and one whose key
   * is gone (the person erased) has none.
   */
  private async usernames(requests: readonly AuthRequest[]): Promise<Map<string, string | null>> {
    const people = await personKeysOf(this.keys, requests.map((r) => ({ customerId: r.customer.id, personKeyId: r.personKeyId })));
    const opened = new Map<string, string | null>();
    for (const r of requests) {
      if (r.username === null || r.personKeyId === null) opened.set(r.id, r.username);
      else {
        const person = people.get(r.personKeyId);
        opened.set(r.id, person ? openStored(person, usernameAad(person.id), r.username) : null);
      }
    }
    return opened;
  }

  /** Every timeline of a page in one query, not one per request. */
  private async timelines(ids: string[]): Promise<Map<string, AuthRequestTransition[]>> {
    const byRequest = new Map<string, AuthRequestTransition[]>();
    if (ids.length === 0) return byRequest;
    const rows = await this.em.find(AuthRequestTransition, { authRequest: { $in: ids } }, { orderBy: { at: 'asc', id: 'asc' } });
    for (const row of rows) {
      const key = row.authRequest.id;
      byRequest.set(key, [...(byRequest.get(key) ?? []), row]);
    }
    return byRequest;
  }
}
