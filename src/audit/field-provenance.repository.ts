import { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '../db/scope';

/** The actions that write a profile's attribute values, and so tell where each value came from. */
export const PROFILE_WRITE_ACTIONS: readonly string[] = Object.freeze(['profile.created', 'profile.updated']);

/** The latest recorded change of one attribute: when, by whom, and by which action. */
export interface FieldProvenance {
  field: string;
  occurredAt: Date;
  actorKind: string;
  actorId: string;
  action: string;
}

interface ProvenanceRow {
  field: string;
  occurred_at: Date | string;
  actor_kind: string;
  actor_id: string;
  action: string;
}

/**
 * Per field, the latest profile write naming the person (by subject hash) that changed it, in one
 * statement over the chained events and the outbox rows not chained yet (a change made a moment ago
 * is still there). Field names only: the values stay in the erasable payloads.
 */
export async function selectFieldProvenance(em: EntityManager, customerId: string, subjectHash: string): Promise<FieldProvenance[]> {
  const rows = await executeBound<ProvenanceRow>(
    em,
    `select distinct on (f.field) f.field, e.occurred_at, e.actor_kind, e.actor_id, e.action
       from (select occurred_at, actor_kind, actor_id, action, fields from audit_event
              where customer_id = ? and subject_hash = ? and action = any(?::text[])
             union all
             select occurred_at, actor_kind, actor_id, action, fields from audit_outbox
              where customer_id = ? and subject_hash = ? and action = any(?::text[]) and audited_at is null) e
       cross join lateral unnest(e.fields) as f(field)
      order by f.field, e.occurred_at desc`,
    [customerId, subjectHash, PROFILE_WRITE_ACTIONS, customerId, subjectHash, PROFILE_WRITE_ACTIONS],
  );
  return rows.map((r) => ({ field: r.field, occurredAt: new Date(r.occurred_at), actorKind: r.actor_kind, actorId: r.actor_id, action: r.action }));
}
