import { randomUUID } from 'node:crypto';
import { TransactionPropagation } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { AuthRequest, AuthRequestTransition } from './auth-request.entity';
import { AuthRequestEvent, AuthRequestStatus, TRANSITIONS } from './auth-request.state';
import type { VerifiedReturnTo } from '../openid-provider';

/**
 * The flow's writes join the transaction of the request (opened by db/scope.ts) instead of nesting a
 * savepoint in it: nothing inside them throws on purpose, so there is nothing to roll back alone.
 */
export const JOIN = { propagation: TransactionPropagation.REQUIRED };

/** Column changes that may ride along with a transition (snake_case column → value). */
export type TransitionChanges = Partial<{
  username: string;
  no_prompt: boolean;
  is_minor: boolean;
  supplied: string;
  blob: string | null;
  auth_time: Date | null;
  auth_policies: string[] | null;
  postback_digest: string;
  outcome: string;
  released_fields: string[];
  failure_reason: string;
}>;

const ARRAY_COLUMNS: ReadonlyArray<keyof TransitionChanges> = ['auth_policies', 'released_fields'];

/** Arrays travel as JSON and are unpacked in SQL: the driver would otherwise spread them into a list. */
function placeholder(column: keyof TransitionChanges): string {
  if (column === 'supplied') return '?::jsonb';
  if (ARRAY_COLUMNS.includes(column)) return `coalesce((select array_agg(x) from jsonb_array_elements_text(?::jsonb) as t(x)), '{}'::text[])`;
  return '?';
}

/**
 * Applies a transition as one compare-and-set: the update only matches while the request is in one
 * of the event's source states, so of two concurrent attempts (two instances, a double click)
 * exactly one wins. The timeline row is written in the same transaction. Returns false when
 * another writer got there first.
 */
export async function applyTransition(
  em: EntityManager,
  authRequestId: string,
  event: AuthRequestEvent,
  now: Date,
  changes: TransitionChanges = {},
  reason: string | null = null,
): Promise<boolean> {
  const rule = TRANSITIONS[event];
  const columns = Object.keys(changes) as Array<keyof TransitionChanges>;
  const sets = ['status = ?', 'updated_at = ?', ...columns.map((c) => `"${c}" = ${placeholder(c)}`)];
  const values = columns.map((c) => (ARRAY_COLUMNS.includes(c) ? JSON.stringify(changes[c] ?? []) : (changes[c] ?? null)));
  // One statement: the compare-and-set and, only when it moved the request, its timeline row.
  const rows: Array<{ from_status: AuthRequestStatus }> = await em.execute(
    `with moved as (
       update auth_request set ${sets.join(', ')}
       from (select id, status as from_status from auth_request where id = ? for update) previous
       where auth_request.id = previous.id and previous.from_status in (${rule.from.map(() => '?').join(', ')})
       returning previous.from_status, auth_request.customer_id
     ), logged as (
       insert into auth_request_transition (id, auth_request_id, customer_id, event, from_status, to_status, at, reason)
       select ?, ?, customer_id, ?, from_status, ?, ?, ? from moved
     )
     select from_status from moved`,
    [rule.to, now, ...values, authRequestId, ...rule.from, randomUUID(), authRequestId, event, rule.to, now, reason],
    'all',
  );
  return rows.length > 0;
}

/** Records the creation of a request as the first step of its timeline. */
export function recordCreation(em: EntityManager, request: AuthRequest, now: Date): void {
  em.create(AuthRequestTransition, { authRequest: request, customer: request.customer, event: 'HANDOFF', fromStatus: null, toStatus: request.status, at: now, reason: null });
}

/**
 * The timeline entry of return_to verification (§9.2.1), which ran before the request existed:
 * dated when its discovery ran, and at least a millisecond before the hand-off so it sorts first.
 */
export function recordReturnToVerification(em: EntityManager, request: AuthRequest, outcome: VerifiedReturnTo, now: Date): void {
  const at = new Date(Math.min(outcome.checkedAt.getTime(), now.getTime() - 1));
  const reason = outcome.reason === null ? outcome.status : `${outcome.status}: ${outcome.reason}`;
  em.create(AuthRequestTransition, { authRequest: request, customer: request.customer, event: 'VERIFY_RETURN_TO', fromStatus: null, toStatus: request.status, at, reason });
}

/**
 * Clears the posted values and the blob of every request of one user (a child, COPPA): called in
 * the postback's transaction once the AW tells us the user is under 13. Answers how many it cleared.
 */
export async function forgetAttributesOf(em: EntityManager, customerId: string, username: string): Promise<number> {
  const rows: unknown[] = await em.execute(
    `update auth_request set supplied = '{}'::jsonb, blob = null
      where customer_id = ? and username = ? and (supplied <> '{}'::jsonb or blob is not null) returning 1`,
    [customerId, username],
  );
  return rows.length;
}
