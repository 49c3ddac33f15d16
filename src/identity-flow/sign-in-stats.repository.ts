import { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '../db/scope';

/** One UTC hour of sign-ins, each request counted once, under the outcome it has now. */
export interface SignInHourCounts {
  hourStart: Date;
  succeeded: number;
  declined: number;
  cancelled: number;
  failed: number;
  expired: number;
  inProgress: number;
  total: number;
}

/**
 * The `failure_reason`s the login steps' SQL functions give a cancel (login-steps/consent.sql.ts,
 * login-steps/browser-return.sql.ts and their later versions in openid-connect/completion.sql.ts):
 * how a user's "no" on the consent page and a user giving up at the login site are told apart from
 * a cancel the service chose. They are the functions' own literals: change both together.
 */
export const DECLINED_REASON = 'the user declined on the consent page';
export const GAVE_UP_REASONS: readonly string[] = ['the AW reported a cancel', 'the browser returned before any postback'];

interface SignInHourRow {
  hour_start: string;
  succeeded: number;
  declined: number;
  cancelled: number;
  failed: number;
  expired: number;
  in_progress: number;
}

/**
 * Sign-ins of one customer per UTC hour from `since` to `until` (exclusive), by outcome, in one
 * statement: every hour of the range is a row (generate_series), with zeros where nothing happened.
 * A request counts in the hour it arrived (`created_at`, on `auth_request_customer_created_index`).
 * A request still open past its expiry is counted as expired (`now`): the purge, not a read, moves it.
 * No row at all when the customer does not exist (or row-level security hides it): the caller's
 * NOT_FOUND, answered by the same statement.
 */
export async function selectSignInHours(em: EntityManager, customerId: string, since: Date, until: Date, now: Date): Promise<SignInHourCounts[]> {
  const open = `r.status not in ('COMPLETED', 'EXPIRED')`;
  const answered = `r.status = 'COMPLETED' and r.outcome is distinct from 'id_res'`;
  // One placeholder per reason (knex would spread an array parameter into a list anyway).
  const gaveUp = GAVE_UP_REASONS.map(() => '?').join(', ');
  const rows = await executeBound<SignInHourRow>(
    em,
    `with counts as (
       select date_trunc('hour', r.created_at at time zone 'UTC') at time zone 'UTC' as hour_start,
              count(*) filter (where r.status = 'COMPLETED' and r.outcome = 'id_res') as succeeded,
              count(*) filter (where ${answered} and r.failure_reason = ?) as declined,
              count(*) filter (where ${answered} and r.failure_reason in (${gaveUp})) as cancelled,
              count(*) filter (where ${answered} and (r.failure_reason is null or r.failure_reason not in (?, ${gaveUp}))) as failed,
              count(*) filter (where r.status = 'EXPIRED' or (${open} and r.expires_at <= ?)) as expired,
              count(*) filter (where ${open} and r.expires_at > ?) as in_progress
         from auth_request r
        where r.customer_id = ? and r.created_at >= ? and r.created_at < ?
        group by 1)
     select h.hour_start, coalesce(k.succeeded, 0)::int as succeeded, coalesce(k.declined, 0)::int as declined,
            coalesce(k.cancelled, 0)::int as cancelled, coalesce(k.failed, 0)::int as failed,
            coalesce(k.expired, 0)::int as expired, coalesce(k.in_progress, 0)::int as in_progress
       from customer c
      cross join generate_series(?::timestamptz, ?::timestamptz - interval '1 hour', interval '1 hour') as h(hour_start)
       left join counts k on k.hour_start = h.hour_start
      where c.id = ?
      order by h.hour_start`,
    [DECLINED_REASON, ...GAVE_UP_REASONS, DECLINED_REASON, ...GAVE_UP_REASONS, now, now, customerId, since, until, since, until, customerId],
  );
  // The ORM's own date parsing (timestamptz comes back as text on its connections).
  const platform = em.getPlatform();
  return rows.map((row) => ({
    hourStart: platform.parseDate(row.hour_start),
    succeeded: row.succeeded,
    declined: row.declined,
    cancelled: row.cancelled,
    failed: row.failed,
    expired: row.expired,
    inProgress: row.in_progress,
    total: row.succeeded + row.declined + row.cancelled + row.failed + row.expired + row.in_progress,
  }));
}
