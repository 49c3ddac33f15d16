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

/** A request's hour: the UTC hour it arrived in (`created_at`), as the read buckets it and the purge folds it. */
export const HOUR_OF_REQUEST_SQL = `date_trunc('hour', r.created_at at time zone 'UTC') at time zone 'UTC'`;

const ANSWERED = `r.status = 'COMPLETED' and r.outcome is distinct from 'id_res'`;
// One placeholder per reason (knex would spread an array parameter into a list anyway).
const GAVE_UP = GAVE_UP_REASONS.map(() => '?').join(', ');

/**
 * The four outcomes of an answered (COMPLETED) request, as `count(*) filter` columns over `r`, with
 * their parameters: one classification for the read (live rows) and the purge's fold (deleted rows),
 * so a request counts under the same outcome before and after it is purged.
 */
export const ANSWERED_COUNTS_SQL = `count(*) filter (where r.status = 'COMPLETED' and r.outcome = 'id_res') as succeeded,
       count(*) filter (where ${ANSWERED} and r.failure_reason = ?) as declined,
       count(*) filter (where ${ANSWERED} and r.failure_reason in (${GAVE_UP})) as cancelled,
       count(*) filter (where ${ANSWERED} and (r.failure_reason is null or r.failure_reason not in (?, ${GAVE_UP}))) as failed`;
export const ANSWERED_COUNTS_PARAMS: readonly unknown[] = [DECLINED_REASON, ...GAVE_UP_REASONS, DECLINED_REASON, ...GAVE_UP_REASONS];

/**
 * A request not COMPLETED and past its expiry counts as expired (`EXPIRED`, or still open or
 * CANCELLED past `expires_at`). Every such request the purge takes is past it: an unfinished one is
 * taken only once expired, and a CANCELLED one only AUTH_REQUEST_RETENTION_HOURS (at least one hour)
 * after its last change, which is never shorter than its lifetime (see FINISHED_STATES). So the fold
 * counts every request it takes that is not COMPLETED as expired, and never one as in progress.
 */
export const RETIRED_EXPIRED_COUNT_SQL = `count(*) filter (where r.status <> 'COMPLETED') as expired`;

/**
 * Rolled-up hours (`sign_in_hour_count`) older than this are dropped by the retention purge: the
 * longest chart range (LAST_7_DAYS, 168 hours) and a day's margin, so no chart ever reads a dropped hour.
 */
export const SIGN_IN_COUNT_RETENTION_HOURS = 8 * 24;

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
 * Sign-ins of one customer per UTC hour from `since` (a whole hour) to `until` (exclusive), by
 * outcome, in one statement: every hour of the range is a row (generate_series), with zeros where
 * nothing happened. A request counts in the hour it arrived (`created_at`, on
 * `auth_request_customer_created_index`): live from `auth_request`, or, once purged, from the counts
 * the purge folded it into (`sign_in_hour_count`, its primary key); the purge's one statement moves
 * it from one to the other, so it is never in both. A request still open past its expiry is counted
 * as expired (`now`): the purge, not a read, moves it.
 * No row at all when the customer does not exist (or row-level security hides it): the caller's
 * NOT_FOUND, answered by the same statement.
 */
export async function selectSignInHours(em: EntityManager, customerId: string, since: Date, until: Date, now: Date): Promise<SignInHourCounts[]> {
  const open = `r.status not in ('COMPLETED', 'EXPIRED')`;
  const rows = await executeBound<SignInHourRow>(
    em,
    `with live as (
       select ${HOUR_OF_REQUEST_SQL} as hour_start,
              ${ANSWERED_COUNTS_SQL},
              count(*) filter (where r.status = 'EXPIRED' or (${open} and r.expires_at <= ?)) as expired,
              count(*) filter (where ${open} and r.expires_at > ?) as in_progress
         from auth_request r
        where r.customer_id = ? and r.created_at >= ? and r.created_at < ?
        group by 1),
     counts as (
       select u.hour_start, sum(u.succeeded) as succeeded, sum(u.declined) as declined, sum(u.cancelled) as cancelled,
              sum(u.failed) as failed, sum(u.expired) as expired, sum(u.in_progress) as in_progress
         from (select * from live
               union all
               select p.hour_start, p.succeeded, p.declined, p.cancelled, p.failed, p.expired, 0
                 from sign_in_hour_count p
                where p.customer_id = ? and p.hour_start >= ? and p.hour_start < ?) u
        group by 1)
     select h.hour_start, coalesce(k.succeeded, 0)::int as succeeded, coalesce(k.declined, 0)::int as declined,
            coalesce(k.cancelled, 0)::int as cancelled, coalesce(k.failed, 0)::int as failed,
            coalesce(k.expired, 0)::int as expired, coalesce(k.in_progress, 0)::int as in_progress
       from customer c
      cross join generate_series(?::timestamptz, ?::timestamptz - interval '1 hour', interval '1 hour') as h(hour_start)
       left join counts k on k.hour_start = h.hour_start
      where c.id = ?
      order by h.hour_start`,
    [...ANSWERED_COUNTS_PARAMS, now, now, customerId, since, until, customerId, since, until, since, until, customerId],
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

/** Drops up to `batchSize` rolled-up hours that started before `cutoff`; returns how many went. */
export async function deleteOldSignInCounts(em: EntityManager, cutoff: Date, batchSize: number): Promise<number> {
  const rows: unknown[] = await em.execute(
    `delete from sign_in_hour_count where ctid in (select ctid from sign_in_hour_count where hour_start < ? limit ?) returning 1`,
    [cutoff, batchSize],
  );
  return rows.length;
}
