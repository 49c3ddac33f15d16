import { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '../db/scope';
import { PayloadOwner, textArray } from './audit-outbox.repository';

/** The last link of each chain named: its sequence number and digest, null for a chain not started. */
export function chainHeads(em: EntityManager, chains: readonly string[]): Promise<Array<{ chain: string; seq: string | null; digest: string | null }>> {
  return em.execute(
    `select c.chain, h.seq, h.digest from unnest(?::text[]) as c(chain)
       left join lateral (select seq, digest from audit_event e where e.chain = c.chain order by seq desc limit 1) h on true`,
    [textArray(chains)],
  );
}

/** Inserts chained events (snake_case rows), as one JSON document bound as a parameter. */
export async function insertChainedEvents(em: EntityManager, events: ReadonlyArray<Record<string, unknown>>): Promise<void> {
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
}

/** Inserts the erasable payloads of chained events (snake_case rows). */
export async function insertEventPayloads(em: EntityManager, payloads: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  await executeBound(
    em,
    `insert into audit_payload (event_id, customer_id, subject_hash, data)
         select event_id, customer_id, subject_hash, data from jsonb_to_recordset(?::jsonb) as x(event_id uuid, customer_id uuid, subject_hash varchar, data jsonb)`,
    [JSON.stringify(payloads)],
  );
}

/** Deletes up to `batchSize` stored payloads of `who`; answers how many. */
export async function deleteEventPayloads(em: EntityManager, who: PayloadOwner, batchSize: number): Promise<number> {
  const subject = who.subjectHash === undefined ? '' : ' and subject_hash = ?';
  const params = who.subjectHash === undefined ? [who.customerId] : [who.customerId, who.subjectHash];
  const payloads: Array<{ event_id: string }> = await em.execute(
    `delete from audit_payload where event_id = any(array(select event_id from audit_payload where customer_id = ?${subject} limit ?)) returning event_id`,
    [...params, batchSize],
  );
  return payloads.length;
}

/** Up to `limit` links of `chain` after `afterSeq`, in order, each with its payload (null once erased). */
export function chainSegment(em: EntityManager, chain: string, afterSeq: number, limit: number): Promise<Array<Record<string, unknown>>> {
  return em.execute(
    `select e.*, p.data as payload from audit_event e left join audit_payload p on p.event_id = e.id
          where e.chain = ? and e.seq > ? order by e.seq limit ?`,
    [chain, afterSeq, limit],
  );
}

/** A payload stored before encryption at rest, in clear. */
export interface UnsealedPayload {
  event_id: string;
  customer_id: string;
  subject_hash: string;
  data: Record<string, unknown>;
}

/** Up to `limit` payloads of people stored in clear after `afterEventId`, in event id order (the caller holds the drain's lock). */
export function selectUnsealedPayloads(em: EntityManager, afterEventId: string, limit: number): Promise<UnsealedPayload[]> {
  return em.execute(
    `select event_id, customer_id, subject_hash, data from audit_payload
      where (data ->> 'box') is null and event_id > ? and customer_id is not null and subject_hash is not null
      order by event_id limit ?`,
    [afterEventId, limit],
  );
}

/**
 * Replaces payloads by their sealed forms, as one JSON document bound as a parameter. The service's
 * roles may not update a payload (only insert and delete it), so each is deleted and inserted again.
 */
export async function replaceWithSealedPayloads(em: EntityManager, rows: ReadonlyArray<{ event_id: string; data: unknown }>): Promise<void> {
  await executeBound(
    em,
    `with sealed as (select event_id, data from jsonb_to_recordset(?::jsonb) as x(event_id uuid, data jsonb)),
          gone as (delete from audit_payload p using sealed s where p.event_id = s.event_id returning p.event_id, p.customer_id, p.subject_hash)
     insert into audit_payload (event_id, customer_id, subject_hash, data)
     select g.event_id, g.customer_id, g.subject_hash, s.data from gone g join sealed s on s.event_id = g.event_id`,
    [JSON.stringify(rows)],
  );
}
