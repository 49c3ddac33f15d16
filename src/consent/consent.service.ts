import { EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError } from '../shared/errors';
import { afterCursor, checkPageSize, encodeCursor, Page } from '../shared/pagination';
import { Clock } from '../shared/clock';
import { customerWhere, subjectWhere, Tenant } from '../shared/tenant';
import { ConsentDecision } from './consent-decision.entity';
import { ConsentDecisionRecord, selectDecisionsOfSubjects } from './consent-decision.repository';
import { isUuid } from '../shared/ids';
import { AuditService } from '../audit';


/** One user of one customer: whose decisions to list. */
export interface ConsentSubject {
  customerId: string;
  username: string;
}

/** A string identity for a subject (usernames may hold any character but NUL). */
export function subjectKey(s: ConsentSubject): string {
  return `${s.customerId}\u0000${s.username}`;
}

export interface ConsentFilter {
  username?: string | null;
  realm?: string | null;
}

/** Consent decisions: recorded from the consent page, remembered per (user, realm), revocable. */
export class ConsentService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /** Decisions `tenant` may see, newest first, optionally for one user and/or realm. */
  async list(filter: ConsentFilter, first: number, after: string | null | undefined, tenant: Tenant): Promise<Page<ConsentDecision>> {
    checkPageSize(first);
    const where: Record<string, unknown> = { ...afterCursor(after, 'decidedAt', 'desc'), ...customerWhere(tenant) };
    if (filter.username) where.username = filter.username;
    if (filter.realm) where.realm = filter.realm;
    const rows = await this.em.find(ConsentDecision, where, { orderBy: { decidedAt: 'desc', id: 'desc' }, limit: first + 1, populate: ['customer'] });
    const items = rows.slice(0, first);
    const last = items[items.length - 1];
    return {
      items,
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
    const rows = await selectDecisionsOfSubjects(this.em, subjects, { customerId: customerWhere(tenant).customer, username: subjectWhere(tenant).username });
    const bySubject = new Map<string, ConsentDecisionRecord[]>();
    for (const row of rows) {
      const key = subjectKey(row);
      const decisions = bySubject.get(key);
      if (decisions) decisions.push(row);
      else bySubject.set(key, [row]);
    }
    return subjects.map((s) => bySubject.get(subjectKey(s)) ?? []);
  }

  /**
   * Revokes a decision: it no longer skips the consent page. Revoking twice keeps the first time.
   * Another tenant's decision is NOT_FOUND, exactly like a missing one.
   */
  async revoke(id: string, tenant: Tenant): Promise<ConsentDecision> {
    if (!isUuid(id)) throw new NotFoundError('consent decision', id);
    return this.em.transactional(async (em) => {
      const decision = await em.findOne(ConsentDecision, { id, ...customerWhere(tenant) }, { populate: ['customer'] });
      if (!decision) throw new NotFoundError('consent decision', id);
      if (decision.revokedAt !== null) return decision;
      decision.revokedAt = this.clock.now();
      await this.audit.record({
        customerId: decision.customer.id,
        action: 'consent.revoked',
        target: { type: 'consent_decision', id: decision.id },
        username: decision.username,
        details: { realm: decision.realm },
      });
      return decision;
    });
  }
}
