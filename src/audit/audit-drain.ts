import { EntityManager } from '@mikro-orm/postgresql';
import type { KeyRing, PersonKey } from '../keys';
import { Clock } from '../shared/clock';
import { timeOrderedUuid } from '../shared/ids';
import { chainHeads, deleteEventPayloads, insertChainedEvents, insertEventPayloads, replaceWithSealedPayloads, selectUnsealedPayloads } from './audit-event.repository';
import { clearOutboxPayloads, lockDrain, markOutboxRowsAudited, OutboxRow, PayloadOwner, selectUnchainedOutboxRows } from './audit-outbox.repository';
import { eventDigest, GENESIS, payloadDigest, PLATFORM_CHAIN } from './chain';
import { ClearPayload, hasSealedValues, openOutboxPayload, sealStoredPayload } from './payload-cipher';
import { linkActiveSpan } from '../observability/tracing/links';

/**
 * The only writer of `audit_event`: moves outbox events onto their chains, and erases stored
 * payloads. Both hold the drain's lock, so no payload moves from the outbox to `audit_payload`
 * while an erasure clears it. Runs in the unit of work its caller opened (the platform path).
 */
export class AuditDrain {
  constructor(private readonly deps: { em: EntityManager; clock: Clock; keys: KeyRing }) {}

  /** Moves up to `batchSize` outbox events, oldest first, onto their chains and returns how many it moved. */
  async drain(batchSize: number): Promise<number> {
    const em = this.deps.em;
    await lockDrain(em);
    const rows = await selectUnchainedOutboxRows(em, batchSize);
    if (rows.length === 0) return 0;
    // The drain's span (when traced) links to the requests whose events it chains.
    linkActiveSpan(rows.map((r) => r.trace_parent));
    const chains = [...new Set(rows.map(chainOf))];
    const heads = await chainHeads(em, chains);
    const head = new Map(heads.map((h) => [h.chain, { seq: Number(h.seq ?? 0), digest: h.digest ?? GENESIS }]));
    const recordedAt = this.deps.clock.now();
    const opened = await this.openPayloads(rows);
    const events: Array<Record<string, unknown>> = [];
    const payloads: Array<Record<string, unknown>> = [];
    for (const row of rows) {
      const chain = chainOf(row);
      const previous = head.get(chain)!;
      const payload = opened.get(row.id);
      const link = linkOf(row, chain, previous.seq + 1, payload?.clear ?? null);
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
      if (payload?.clear) {
        const data = payload.person ? sealStoredPayload(payload.person, id, payload.clear) : payload.clear;
        payloads.push({ event_id: id, customer_id: row.customer_id, subject_hash: row.subject_hash, data });
      }
      head.set(chain, { seq: link.seq, digest });
    }
    await insertChainedEvents(em, events);
    if (payloads.length > 0) await insertEventPayloads(em, payloads);
    // The payload stays until the webhook dispatcher has read it too; whichever of the two comes last drops it.
    await markOutboxRowsAudited(
      em,
      rows.map((r) => r.id),
      recordedAt,
    );
    return rows.length;
  }

  /**
   * The clear payload of each row with one, and the person key it is to be sealed under. A payload
   * whose person's key is gone (erased since it was written) cannot be opened: it is not stored (as
   * if erased), and the chain keeps a digest of its sealed form. A legacy clear payload names its
   * person in clear: their key is made if they have none.
   */
  private async openPayloads(rows: readonly OutboxRow[]): Promise<Map<string, { clear: ClearPayload | null; person: PersonKey | null }>> {
    const found = new Map<string, Promise<PersonKey | null>>();
    // The people whose payloads are sealed (all but those written before encryption): their keys by subject, one statement per customer.
    const bySubject = new Map<string, Set<string>>();
    for (const row of rows) {
      if (!row.payload || row.customer_id === null || row.subject_hash === null) continue;
      if (!hasSealedValues(row.payload) && typeof row.payload.subject === 'string') continue;
      bySubject.set(row.customer_id, (bySubject.get(row.customer_id) ?? new Set()).add(row.subject_hash));
    }
    for (const [customerId, subjects] of bySubject) {
      const keys = await this.deps.keys.peopleBySubject(customerId, subjects);
      for (const subject of subjects) found.set(`${customerId}\n${subject}`, Promise.resolve(keys.get(subject) ?? null));
    }
    const personOf = (row: OutboxRow, payload: ClearPayload): Promise<PersonKey | null> => {
      const name = `${row.customer_id}\n${row.subject_hash}`;
      let person = found.get(name);
      if (!person) {
        const subject = payload.subject;
        person = hasSealedValues(payload) || typeof subject !== 'string'
          ? this.deps.keys.personBySubject(row.customer_id!, row.subject_hash!)
          : this.deps.keys.person(row.customer_id!, subject, row.subject_hash!);
        found.set(name, person);
      }
      return person;
    };
    const result = new Map<string, { clear: ClearPayload | null; person: PersonKey | null }>();
    for (const row of rows) {
      if (!row.payload) continue;
      if (row.customer_id === null || row.subject_hash === null) {
        result.set(row.id, { clear: row.payload, person: null });
        continue;
      }
      const person = await personOf(row, row.payload);
      const target = { type: row.target_type, id: row.target_id };
      try {
        result.set(row.id, { clear: openOutboxPayload(person, target, row.payload), person });
      } catch {
        // Sealed under a key that is gone (a key made again later for the same name is another key).
        result.set(row.id, { clear: null, person: null });
      }
    }
    return result;
  }

  /**
   * The upgrade to encryption at rest: seals up to `batchSize` payloads stored in clear before it,
   * after `afterEventId`, each whole under its person's key (the digest in the chain is of the same
   * clear payload, so it still verifies). A person without a key is left for later: none is made
   * here, since they may be being erased. Answers the last event id looked at (null: none left).
   */
  async sealLegacyPayloads(afterEventId: string, batchSize: number): Promise<string | null> {
    const em = this.deps.em;
    await lockDrain(em);
    const rows = await selectUnsealedPayloads(em, afterEventId, batchSize);
    if (rows.length === 0) return null;
    const sealed: Array<{ event_id: string; data: unknown }> = [];
    for (const row of rows) {
      const person = await this.deps.keys.personBySubject(row.customer_id, row.subject_hash);
      if (person) sealed.push({ event_id: row.event_id, data: sealStoredPayload(person, row.event_id, row.data) });
    }
    if (sealed.length > 0) await replaceWithSealedPayloads(em, sealed);
    return rows.at(-1)!.event_id;
  }

  /**
   * Removes up to `batchSize` stored payloads of a person (`subjectHash`) or of a whole customer,
   * and clears as many payloads of their events still in the outbox. The chain keeps each
   * payload's digest and still verifies. Returns the rows touched per table.
   */
  async erasePayloads(who: PayloadOwner, batchSize: number): Promise<{ audit_outbox: number; audit_payload: number }> {
    await lockDrain(this.deps.em);
    const outbox = await clearOutboxPayloads(this.deps.em, who, batchSize);
    const payloads = await deleteEventPayloads(this.deps.em, who, batchSize);
    return { audit_outbox: outbox, audit_payload: payloads };
  }
}

function chainOf(row: { customer_id: string | null }): string {
  return row.customer_id ?? PLATFORM_CHAIN;
}

/** The chain covers the clear payload's digest; a payload that could not be opened (its key is gone) is covered as stored. */
function linkOf(row: OutboxRow, chain: string, seq: number, clear: ClearPayload | null) {
  return {
    chain,
    seq,
    occurredAt: new Date(row.occurred_at),
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    subjectHash: row.subject_hash,
    fields: row.fields,
    details: row.details,
    payloadDigest: row.payload ? payloadDigest(clear ?? row.payload) : null,
  };
}
