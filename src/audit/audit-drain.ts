import { EntityManager } from '@mikro-orm/postgresql';
import { Clock } from '../shared/clock';
import { timeOrderedUuid } from '../shared/ids';
import { chainHeads, deleteEventPayloads, insertChainedEvents, insertEventPayloads } from './audit-event.repository';
import { clearOutboxPayloads, lockDrain, markOutboxRowsAudited, OutboxRow, PayloadOwner, selectUnchainedOutboxRows } from './audit-outbox.repository';
import { eventDigest, GENESIS, payloadDigest, PLATFORM_CHAIN } from './chain';

/**
 * The only writer of `audit_event`: moves outbox events onto their chains, and erases stored
 * payloads. Both hold the drain's lock, so no payload moves from the outbox to `audit_payload`
 * while an erasure clears it. Runs in the unit of work its caller opened (the platform path).
 */
export class AuditDrain {
  constructor(private readonly deps: { em: EntityManager; clock: Clock }) {}

  /** Moves up to `batchSize` outbox events, oldest first, onto their chains and returns how many it moved. */
  async drain(batchSize: number): Promise<number> {
    const em = this.deps.em;
    await lockDrain(em);
    const rows = await selectUnchainedOutboxRows(em, batchSize);
    if (rows.length === 0) return 0;
    const chains = [...new Set(rows.map(chainOf))];
    const heads = await chainHeads(em, chains);
    const head = new Map(heads.map((h) => [h.chain, { seq: Number(h.seq ?? 0), digest: h.digest ?? GENESIS }]));
    const recordedAt = this.deps.clock.now();
    const events: Array<Record<string, unknown>> = [];
    const payloads: Array<Record<string, unknown>> = [];
    for (const row of rows) {
      const chain = chainOf(row);
      const previous = head.get(chain)!;
      const link = linkOf(row, chain, previous.seq + 1);
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

function linkOf(row: OutboxRow, chain: string, seq: number) {
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
    payloadDigest: row.payload ? payloadDigest(row.payload) : null,
  };
}
