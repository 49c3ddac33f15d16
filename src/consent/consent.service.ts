import { EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError } from '../shared/errors';
import { afterCursor, checkPageSize, encodeCursor, Page } from '../shared/pagination';
import { Clock } from '../shared/clock';
import { customerWhere, Tenant } from '../shared/tenant';
import { ConsentDecision } from './consent-decision.entity';
import { ConsentDecisionRecord, DecisionVisibility, selectDecisionsOfSubjects } from './consent-decision.repository';
import { KeyRing, lookupMatch, matchWhere, openStored, personKeysOf, usernameAad } from '../keys';
import { Customer } from '../customers';
import { isUuid } from '../shared/ids';
import { AuditService } from '../audit';
import { StatsRange, statsCustomerId, StatsWindow, statsWindow } from '../shared/stats-window';
import { ConsentCounts, selectConsentCounts } from './consent-stats.repository';

/** One user of one customer: whose decisions to list. */
export interface ConsentSubject {
  customerId: string;
  username: string;
}

/** A string identity for a subject (usernames may hold any character but NUL). */
export function subjectKey(s: ConsentSubject): string {
  return `${s.customerId}\u0000${s.username}`;
}

/** How a customer's users answered the consent page over a chart's range. */
export interface ConsentStats extends StatsWindow, ConsentCounts {
  customerId: string;
}

export interface ConsentFilter {
  username?: string | null;
  realm?: string | null;
}

/** Consent decisions: recorded from the consent page, remembered per (user, realm), revocable. Usernames are stored sealed. */
export class ConsentService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly keys: KeyRing,
  ) {}

  /** Decisions `tenant` may see, newest first, optionally for one user (exact only, by keyed hash) and/or realm. */
  async list(filter: ConsentFilter, first: number, after: string | null | undefined, tenant: Tenant): Promise<Page<ConsentDecisionRecord>> {
    checkPageSize(first);
    const where: Record<string, unknown> = { ...afterCursor(after, 'decidedAt', 'desc'), ...customerWhere(tenant) };
    if (filter.username) {
      const customers = tenant.kind === 'customer' ? [tenant.customerId] : (await this.em.find(Customer, {}, { fields: ['id'] })).map((c) => c.id);
      // Beside the cursor's own `$or`, not over it.
      where.$and = [matchWhere(await lookupMatch(this.keys, customers, 'username', filter.username), 'usernameHash', 'username')];
    }
    if (filter.realm) where.realm = filter.realm;
    const rows = await this.em.find(ConsentDecision, where, { orderBy: { decidedAt: 'desc', id: 'desc' }, limit: first + 1, populate: ['customer'] });
    const items = rows.slice(0, first);
    const last = items[items.length - 1];
    return {
      items: await this.open(items),
      hasNextPage: rows.length > first,
      endCursor: last ? encodeCursor({ createdAt: last.decidedAt, id: last.id }) : null,
    };
  }

  /**
   * The decisions of each (customer, username) in `subjects` that `tenant` may see, newest first,
   * in one query however many subjects there are; an entry per subject, empty when it has none.
   * Plain records, no entities: a page's worth is read-only and costs more to hydrate than to query.
   */
  async listForSubjects(subjects: readonly ConsentSubject[], tenant: Tenant): Promise<ConsentDecisionRecord[][]> {
    if (subjects.length === 0) return [];
    const unique = [...new Map(subjects.map((s) => [subjectKey(s), s])).values()];
    const hashed = await Promise.all(unique.map(async (s) => ({ ...s, usernameHash: await this.hashOf(s.customerId, s.username) })));
    const visible: DecisionVisibility = {};
    if (tenant.kind === 'customer') {
      visible.customerId = tenant.customerId;
      if (tenant.subject !== undefined) visible.person = { username: tenant.subject, usernameHash: await this.hashOf(tenant.customerId, tenant.subject) };
    }
    const rows = await selectDecisionsOfSubjects(this.em, hashed, visible);
    const bySubject = new Map<string, ConsentDecisionRecord[]>();
    for (const row of rows) {
      const key = subjectKey({ customerId: row.customerId, username: row.username! });
      const decisions = bySubject.get(key);
      if (decisions) decisions.push(row);
      else bySubject.set(key, [row]);
    }
    return subjects.map((s) => bySubject.get(subjectKey(s)) ?? []);
  }

  /**
   * Approvals and denials on `customerId`'s consent pages over `range`, in one statement. Another
   * tenant's customer, a malformed id and a missing customer are all NOT_FOUND; a caller bound to
   * one user is FORBIDDEN.
   */
  async stats(customerId: string, range: StatsRange, tenant: Tenant): Promise<ConsentStats> {
    const id = statsCustomerId(customerId, tenant);
    const window = statsWindow(range, this.clock.now());
    const counts = await selectConsentCounts(this.em, id, window.since, window.until);
    if (!counts) throw new NotFoundError('customer', customerId);
    return { ...window, ...counts, customerId: id };
  }

  /**
   * Revokes a decision: it no longer skips the consent page. Revoking twice keeps the first time.
   * Another tenant's decision is NOT_FOUND, exactly like a missing one.
   */
  async revoke(id: string, tenant: Tenant): Promise<ConsentDecisionRecord> {
    if (!isUuid(id)) throw new NotFoundError('consent decision', id);
    return this.em.transactional(async (em) => {
      const decision = await em.findOne(ConsentDecision, { id, ...customerWhere(tenant) }, { populate: ['customer'] });
      if (!decision) throw new NotFoundError('consent decision', id);
      const [record] = await this.open([decision]);
      if (decision.revokedAt !== null) return record!;
      decision.revokedAt = this.clock.now();
      await this.audit.record({
        customerId: decision.customer.id,
        action: 'consent.revoked',
        target: { type: 'consent_decision', id: decision.id },
        username: record!.username,
        details: { realm: decision.realm },
      });
      return { ...record!, revokedAt: decision.revokedAt };
    });
  }

  private async hashOf(customerId: string, username: string): Promise<string> {
    return this.keys.lookupHash(await this.keys.customer(customerId), 'username', username);
  }

  /** Decisions as records, their usernames opened (null when the person's key is gone). */
  private async open(decisions: readonly ConsentDecision[]): Promise<ConsentDecisionRecord[]> {
    const people = await personKeysOf(this.keys, decisions.map((d) => ({ customerId: d.customer.id, personKeyId: d.personKeyId })));
    return decisions.map((d) => {
      const person = d.personKeyId === null ? undefined : people.get(d.personKeyId);
      return {
        id: d.id,
        customerId: d.customer.id,
        username: d.personKeyId === null ? d.username : person ? openStored(person, usernameAad(person.id), d.username) : null,
        realm: d.realm,
        decision: d.decision,
        grantedFields: d.grantedFields,
        isRemembered: d.isRemembered,
        decidedAt: d.decidedAt,
        revokedAt: d.revokedAt,
      };
    });
  }
}
