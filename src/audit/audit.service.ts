import { randomBytes } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Clock } from '../shared/clock';
import { afterCursor, checkPageSize, Page, toPage } from '../shared/pagination';
import { Tenant } from '../shared/tenant';
import { executeBound } from '../db/scope';
import { ValidationError } from '../shared/errors';
import { timeOrderedUuid } from '../shared/ids';
import { Actor, currentActor } from './actor';
import { AuditEvent, AuditPayload } from './audit.entity';
import { BrokenLink, chainedPart, eventDigest, GENESIS, payloadDigest, PLATFORM_CHAIN, StoredChainEvent, subjectHash, verifySegment } from './chain';

/** A personal field's value before and after a change. */
export interface FieldChange {
  old: string | null;
  new: string | null;
}

/** One change to record, as the service that made it describes it. */
export interface AuditRecord {
  /** Whose chain it joins; null for platform-wide events (platform operator tokens). */
  customerId: string | null;
  /** What happened, as `noun.verb`: `profile.updated`, `consent.revoked`, `token.issued`, … */
  action: string;
  target: { type: string; id: string | null };
  /** The person it is about (the AW's username). Kept only in the erasable payload. */
  username?: string | null;
  /**
   * The person by keyed hash only (see `subjectHash`), for events that must name someone without
   * holding anything personal, such as an erasure's own events. Ignored when `username` is given.
   */
  subjectHash?: string | null;
  /** Personal values changed, by field name; the names are in the chain, the values in the payload. */
  changes?: Readonly<Record<string, FieldChange>>;
  /** Facts that are not personal data (scopes, client ids, configuration field names). */
  details?: Record<string, unknown>;
  /** Defaults to the actor of the current unit of work (see actor.ts). */
  actor?: Actor;
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

export interface AuditServiceDeps {
  em: EntityManager;
  clock: Clock;
  secretKey: string;
}

/** Serialises drains across processes, so each chain grows one link at a time. */
const DRAIN_LOCK = 0x61756469; // 'audi'
const VERIFY_PAGE = 1000;

interface OutboxRow {
  id: string;
  customer_id: string | null;
  occurred_at: Date;
  actor_kind: string;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string | null;
  subject_hash: string | null;
  fields: string[];
  details: Record<string, unknown> | null;
  payload: Record<string, unknown> | null;
}

/**
 * The audit trail. Services call `record` inside the transaction of the change they describe; the
 * audit worker calls `drain`, the only code that writes `audit_event`; the API reads through `list`
 * and `verifyChain`.
 */
export class AuditService {
  constructor(private readonly deps: AuditServiceDeps) {}

  /** The keyed hash the trail stores instead of a username. */
  subjectHash(customerId: string, username: string): string {
    return subjectHash(this.deps.secretKey, customerId, username);
  }

  /** Adds an event to the outbox, in the transaction `em` is in: it exists if and only if the change commits. */
  async record(em: EntityManager, record: AuditRecord): Promise<void> {
    const actor = record.actor ?? currentActor();
    const username = record.username ?? null;
    const changes = record.changes ?? null;
    const hash = username !== null && record.customerId !== null ? this.subjectHash(record.customerId, username) : (record.subjectHash ?? null);
    // The salt keeps the payload's digest (which stays in the chain after erasure) from revealing guessable values.
    const payload = username !== null || changes !== null ? { salt: randomBytes(16).toString('hex'), subject: username, changes } : null;
    await em.execute(
      `insert into audit_outbox (customer_id, occurred_at, actor_kind, actor_id, action, target_type, target_id, subject_hash, fields, details, payload)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?::text[], ?::jsonb, ?::jsonb)`,
      [
        record.customerId,
        this.deps.clock.now(),
        actor.kind,
        actor.id,
        record.action,
        record.target.type,
        record.target.id,
        hash,
        textArray(Object.keys(changes ?? {}).sort()),
        record.details ? JSON.stringify(record.details) : null,
        payload ? JSON.stringify(payload) : null,
      ],
      'run',
    );
  }

  /**
   * Moves up to `batchSize` outbox events, oldest first, onto their chains and returns how many it
   * moved. Runs in the caller's transaction (the platform path); moved rows keep no personal values
   * once the webhook dispatcher has read them as well.
   */
  async drain(em: EntityManager, batchSize: number): Promise<number> {
    await em.execute('select pg_advisory_xact_lock(?)', [DRAIN_LOCK], 'run');
    const rows: OutboxRow[] = await executeBound(
      em,
      `select id, customer_id, occurred_at, actor_kind, actor_id, action, target_type, target_id, subject_hash, fields, details, payload
         from audit_outbox where audited_at is null order by id limit ?`,
      [batchSize],
    );
    if (rows.length === 0) return 0;
    const chains = [...new Set(rows.map(chainOf))];
    const heads: Array<{ chain: string; seq: string | null; digest: string | null }> = await em.execute(
      `select c.chain, h.seq, h.digest from unnest(?::text[]) as c(chain)
       left join lateral (select seq, digest from audit_event e where e.chain = c.chain order by seq desc limit 1) h on true`,
      [textArray(chains)],
    );
    const head = new Map(heads.map((h) => [h.chain, { seq: Number(h.seq ?? 0), digest: h.digest ?? GENESIS }]));
    const recordedAt = this.deps.clock.now();
    const events: Array<Record<string, unknown>> = [];
    const payloads: Array<Record<string, unknown>> = [];
    for (const row of rows) {
      const chain = chainOf(row);
      const previous = head.get(chain)!;
      const link = {
        chain,
        seq: previous.seq + 1,
        occurredAt: new Date(row.occurred_at),
        actorKind: row.actor_kind,
        actorId: row.actor_id,
        action: row.action,
        targetType: row.target_type,
        targetId: row.target_id,
        subjectHash: row.subject_hash,
        fields: row.fields,
        details: row.details,
        payloadDigest: row.payload ? payloadDigest(row.payload) : null,
      };
      const digest = eventDigest(previous.digest, link);
      // Time-ordered, so events of one instant (a consent and the login it completed) list in chain order.
      const id = timeOrderedUuid();
      events.push({
        id,
        chain,
        seq: link.seq,
        customer_id: row.customer_id,
        occurred_at: link.occurredAt.toISOString(),
        recorded_at: recordedAt.toISOString(),
        actor_kind: link.actorKind,
        actor_id: link.actorId,
        action: link.action,
        target_type: link.targetType,
        target_id: link.targetId,
        subject_hash: link.subjectHash,
        fields: link.fields,
        details: link.details,
        payload_digest: link.payloadDigest,
        prev_digest: previous.digest,
        digest,
      });
      if (row.payload) payloads.push({ event_id: id, customer_id: row.customer_id, subject_hash: row.subject_hash, data: row.payload });
      head.set(chain, { seq: link.seq, digest });
    }
    await executeBound(
      em,
      `insert into audit_event (id, chain, seq, customer_id, occurred_at, recorded_at, actor_kind, actor_id, action, target_type, target_id, subject_hash, fields, details, payload_digest, prev_digest, digest)
       select id, chain, seq, customer_id, occurred_at, recorded_at, actor_kind, actor_id, action, target_type, target_id, subject_hash,
              array(select jsonb_array_elements_text(fields)), details, payload_digest, prev_digest, digest
         from jsonb_to_recordset(?::jsonb) as x(id uuid, chain varchar, seq bigint, customer_id uuid, occurred_at timestamptz, recorded_at timestamptz,
              actor_kind varchar, actor_id varchar, action varchar, target_type varchar, target_id varchar, subject_hash varchar, fields jsonb,
              details jsonb, payload_digest varchar, prev_digest varchar, digest varchar)`,
      [JSON.stringify(events)],
    );
    if (payloads.length > 0) {
      await executeBound(
        em,
        `insert into audit_payload (event_id, customer_id, subject_hash, data)
         select event_id, customer_id, subject_hash, data from jsonb_to_recordset(?::jsonb) as x(event_id uuid, customer_id uuid, subject_hash varchar, data jsonb)`,
        [JSON.stringify(payloads)],
      );
    }
    // The payload stays until the webhook dispatcher has read it too; whichever of the two comes last drops it.
    await em.execute(
      `update audit_outbox set audited_at = ?, payload = case when dispatched_at is not null then null else payload end where id = any(?::bigint[])`,
      [recordedAt, `{${rows.map((r) => r.id).join(',')}}`],
      'run',
    );
    return rows.length;
  }

  /**
   * Erasure: removes up to `batchSize` stored payloads of a person (`subjectHash`) or of a whole
   * customer, and clears as many payloads of their events still in the outbox. Holds the drain's
   * lock, so no payload moves from the outbox to `audit_payload` meanwhile. The chain keeps each
   * payload's digest and still verifies. Returns the rows touched per table.
   */
  async erasePayloads(em: EntityManager, who: { customerId: string; subjectHash?: string }, batchSize: number): Promise<{ audit_outbox: number; audit_payload: number }> {
    await em.execute('select pg_advisory_xact_lock(?)', [DRAIN_LOCK], 'run');
    const subject = who.subjectHash === undefined ? '' : ' and subject_hash = ?';
    const params = who.subjectHash === undefined ? [who.customerId] : [who.customerId, who.subjectHash];
    const outbox: Array<{ id: string }> = await em.execute(
      `update audit_outbox set payload = null
        where id = any(array(select id from audit_outbox where customer_id = ?${subject} and payload is not null limit ?)) returning id`,
      [...params, batchSize],
    );
    const payloads: Array<{ event_id: string }> = await em.execute(
      `delete from audit_payload where event_id = any(array(select event_id from audit_payload where customer_id = ?${subject} limit ?)) returning event_id`,
      [...params, batchSize],
    );
    return { audit_outbox: outbox.length, audit_payload: payloads.length };
  }

  /** Audit events `tenant` may see, newest first. */
  async list(filter: AuditFilter, first: number, after: string | null | undefined, tenant: Tenant): Promise<Page<AuditEntry>> {
    checkPageSize(first);
    const where: Record<string, unknown> = { ...afterCursor(after, 'occurredAt', 'desc') };
    const customerId = tenant.kind === 'customer' ? tenant.customerId : (filter.customerId ?? null);
    if (tenant.kind === 'customer' && filter.customerId && filter.customerId !== tenant.customerId) return toPage([], first);
    if (customerId !== null) where.customer = customerId;
    if (filter.subject) {
      if (customerId === null) throw new ValidationError('filter.customerId', 'filtering by subject needs the customer the user belongs to');
      where.subjectHash = this.subjectHash(customerId, filter.subject);
    }
    if (filter.actorId) where.actorId = filter.actorId;
    if (filter.action) where.action = filter.action;
    if (filter.from || filter.to) where.occurredAt = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
    const events = await this.deps.em.find(AuditEvent, where, { orderBy: { occurredAt: 'desc', id: 'desc' }, limit: first + 1 });
    const payloads = events.length
      ? await this.deps.em.find(AuditPayload, { event: { $in: events.map((e) => e.id) } })
      : [];
    const byEvent = new Map(payloads.map((p) => [p.event.id, p.data]));
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
   * ok or the first broken link. Erased payloads are skipped; present ones must match their digest.
   */
  async verifyChain(customerId: string | null): Promise<ChainVerification> {
    const chain = customerId ?? PLATFORM_CHAIN;
    let head = { digest: GENESIS, seq: 0 };
    let checked = 0;
    for (;;) {
      const rows: Array<Record<string, unknown>> = await this.deps.em.execute(
        `select e.*, p.data as payload from audit_event e left join audit_payload p on p.event_id = e.id
          where e.chain = ? and e.seq > ? order by e.seq limit ?`,
        [chain, head.seq, VERIFY_PAGE],
      );
      const events = rows.map(toStoredEvent);
      const result = verifySegment(head, events);
      if (result.broken) return { ok: false, eventsChecked: checked + events.findIndex((e) => e.id === result.broken!.eventId), broken: result.broken };
      checked += events.length;
      head = result.head;
      if (rows.length < VERIFY_PAGE) return { ok: true, eventsChecked: checked };
    }
  }
}

function chainOf(row: { customer_id: string | null }): string {
  return row.customer_id ?? PLATFORM_CHAIN;
}

function toStoredEvent(row: Record<string, unknown>): StoredChainEvent {
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
    payload: (row.payload as Record<string, unknown> | null) ?? null,
  };
}

/** A PostgreSQL text[] literal (knex would expand a JS array into a list of parameters). */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}
