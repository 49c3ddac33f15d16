import { EntityManager } from '@mikro-orm/postgresql';
import type { KeyRing } from '../keys';
import { ValidationError } from '../shared/errors';
import { afterCursor, checkPageSize, Page, toPage } from '../shared/pagination';
import { Tenant } from '../shared/tenant';
import { chainSegment } from './audit-event.repository';
import { AuditEvent, AuditPayload } from './audit.entity';
import { BrokenLink, chainedPart, GENESIS, PLATFORM_CHAIN, StoredChainEvent, verifySegment } from './chain';
import { OpenedPayload, openStoredPayloads } from './payload-cipher';

/** A personal field's value before and after a change. */
export interface FieldChange {
  old: string | null;
  new: string | null;
}

export interface AuditFilter {
  customerId?: string | null;
  /** An AW username; needs the customer, since the trail holds only a keyed hash of it. */
  subject?: string | null;
  actorId?: string | null;
  action?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** An audit event as the API shows it: the link and, unless erased, its personal values. */
export interface AuditEntry {
  id: string;
  createdAt: Date;
  event: AuditEvent;
  payload: { subject: string | null; changes: Record<string, FieldChange> | null } | null;
}

export type ChainVerification = { ok: true; eventsChecked: number } | { ok: false; eventsChecked: number; broken: BrokenLink };

const VERIFY_PAGE = 1000;

/** The read side of the audit trail: pages of events for the API, and chain verification. */
export class AuditQueries {
  constructor(private readonly deps: { em: EntityManager; keys: KeyRing; subjectHash: (customerId: string, username: string) => string }) {}

  /** Audit events `tenant` may see, newest first. */
  async list(filter: AuditFilter, first: number, after: string | null | undefined, tenant: Tenant): Promise<Page<AuditEntry>> {
    checkPageSize(first);
    const where: Record<string, unknown> = { ...afterCursor(after, 'occurredAt', 'desc') };
    const customerId = tenant.kind === 'customer' ? tenant.customerId : (filter.customerId ?? null);
    if (tenant.kind === 'customer' && filter.customerId && filter.customerId !== tenant.customerId) return toPage([], first);
    if (customerId !== null) where.customer = customerId;
    if (filter.subject) {
      if (customerId === null) throw new ValidationError('filter.customerId', 'filtering by subject needs the customer the user belongs to');
      where.subjectHash = this.deps.subjectHash(customerId, filter.subject);
    }
    if (filter.actorId) where.actorId = filter.actorId;
    if (filter.action) where.action = filter.action;
    if (filter.from || filter.to) where.occurredAt = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
    const events = await this.deps.em.find(AuditEvent, where, { orderBy: { occurredAt: 'desc', id: 'desc' }, limit: first + 1 });
    const payloads = events.length
      ? await this.deps.em.find(AuditPayload, { event: { $in: events.map((e) => e.id) } })
      : [];
    const opened = await openStoredPayloads(
      this.deps.keys,
      payloads.map((p) => ({ eventId: p.event.id, customerId: p.customer?.id ?? null, data: p.data })),
    );
    // A payload whose key is gone, or that does not open, shows as erased.
    const byEvent = new Map<string, Record<string, unknown>>();
    payloads.forEach((p, i) => {
      const o = opened[i]!;
      if (o.state === 'clear') byEvent.set(p.event.id, o.payload);
    });
    const entries = events.map((event) => {
      const data = byEvent.get(event.id);
      return {
        id: event.id,
        createdAt: event.occurredAt,
        event,
        payload: data ? { subject: (data.subject as string | null) ?? null, changes: (data.changes as Record<string, FieldChange> | null) ?? null } : null,
      };
    });
    return toPage(entries, first);
  }

  /**
   * Recomputes a chain (a customer's, or with null the platform's) from its first link and answers
   * ok or the first broken link. Erased payloads, and those whose person's key is gone
   * (crypto-shredded), are skipped; present ones must open under their key and match their digest.
   */
  async verifyChain(customerId: string | null): Promise<ChainVerification> {
    const chain = customerId ?? PLATFORM_CHAIN;
    let head = { digest: GENESIS, seq: 0 };
    let checked = 0;
    for (;;) {
      const rows = await chainSegment(this.deps.em, chain, head.seq, VERIFY_PAGE);
      const opened = await openStoredPayloads(
        this.deps.keys,
        rows.map((r) => ({ eventId: r.id as string, customerId: (r.customer_id as string | null) ?? null, data: (r.payload as Record<string, unknown> | null) ?? null })),
      );
      const events = rows.map((r, i) => toStoredEvent(r, opened[i]!));
      const result = verifySegment(head, events);
      if (result.broken) return { ok: false, eventsChecked: checked + events.findIndex((e) => e.id === result.broken!.eventId), broken: result.broken };
      checked += events.length;
      head = result.head;
      if (rows.length < VERIFY_PAGE) return { ok: true, eventsChecked: checked };
    }
  }
}

function toStoredEvent(row: Record<string, unknown>, payload: OpenedPayload): StoredChainEvent {
  const event = {
    chain: row.chain as string,
    seq: Number(row.seq),
    occurredAt: new Date(row.occurred_at as string),
    actorKind: row.actor_kind as string,
    actorId: row.actor_id as string,
    action: row.action as string,
    targetType: row.target_type as string,
    targetId: (row.target_id as string | null) ?? null,
    subjectHash: (row.subject_hash as string | null) ?? null,
    fields: (row.fields as string[]) ?? [],
    details: (row.details as Record<string, unknown> | null) ?? null,
    payloadDigest: (row.payload_digest as string | null) ?? null,
  };
  return {
    ...chainedPart(event),
    id: row.id as string,
    prevDigest: row.prev_digest as string,
    digest: row.digest as string,
    payload: payload.state === 'clear' ? payload.payload : null,
    isPayloadUnreadable: payload.state === 'unreadable',
  };
}
