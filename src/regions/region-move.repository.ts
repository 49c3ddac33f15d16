import { SqlPool } from '../db/sql-pool';
import type { RegionName } from '../config';

export type MoveState = 'COPYING' | 'VERIFYING' | 'SWITCHING' | 'ERASING' | 'DONE' | 'FAILED';

/** One table of a move: rows copied and the checksums compared (null until verified). */
export interface MoveTable {
  table: string;
  rows: number;
  sourceChecksum: string | null;
  targetChecksum: string | null;
}

export interface RegionMove {
  id: string;
  customerId: string;
  sourceRegion: RegionName;
  targetRegion: RegionName;
  state: MoveState;
  /** Copies made: a copy whose digests differ from the source's (a late write) is made again. */
  attempts: number;
  tables: MoveTable[];
  error: string | null;
  requestedBy: string;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

interface MoveRow {
  id: string;
  customer_id: string;
  source_region: RegionName;
  target_region: RegionName;
  state: MoveState;
  attempts: number;
  tables: MoveTable[];
  error: string | null;
  requested_by: string;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

function toMove(row: MoveRow): RegionMove {
  return {
    id: row.id,
    customerId: row.customer_id,
    sourceRegion: row.source_region,
    targetRegion: row.target_region,
    state: row.state,
    attempts: row.attempts,
    tables: row.tables,
    error: row.error,
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

/** Records a new move, unless the customer has an unfinished one (then null: resume that). */
export async function insertMove(pool: SqlPool, move: Pick<RegionMove, 'id' | 'customerId' | 'sourceRegion' | 'targetRegion' | 'requestedBy'>, at: Date): Promise<RegionMove | null> {
  const { rows } = await pool.query<MoveRow>(
    `insert into directory.region_move (id, customer_id, source_region, target_region, state, requested_by, created_at, updated_at)
     values ($1, $2, $3, $4, 'COPYING', $5, $6, $6) on conflict do nothing returning *`,
    [move.id, move.customerId, move.sourceRegion, move.targetRegion, move.requestedBy, at],
  );
  return rows[0] ? toMove(rows[0]) : null;
}

export async function moveById(pool: SqlPool, id: string): Promise<RegionMove | null> {
  const { rows } = await pool.query<MoveRow>('select * from directory.region_move where id = $1', [id]);
  return rows[0] ? toMove(rows[0]) : null;
}

/** The customer's unfinished move, if any. */
export async function openMoveOf(pool: SqlPool, customerId: string): Promise<RegionMove | null> {
  const { rows } = await pool.query<MoveRow>(`select * from directory.region_move where customer_id = $1 and state not in ('DONE', 'FAILED')`, [customerId]);
  return rows[0] ? toMove(rows[0]) : null;
}

/** Every unfinished move (resumed when a deployment serving both regions starts). */
export async function openMoves(pool: SqlPool): Promise<RegionMove[]> {
  const { rows } = await pool.query<MoveRow>(`select * from directory.region_move where state not in ('DONE', 'FAILED') order by created_at`);
  return rows.map(toMove);
}

/** Moves, newest first: one customer's, or everyone's. */
export async function listMoves(pool: SqlPool, customerId: string | null, limit: number): Promise<RegionMove[]> {
  const { rows } = await pool.query<MoveRow>('select * from directory.region_move where ($1::uuid is null or customer_id = $1) order by created_at desc, id limit $2', [customerId, limit]);
  return rows.map(toMove);
}

/** Records a step's outcome (compare-and-set on the state it left, so two runners never both advance one move). */
export async function advanceMove(
  pool: SqlPool,
  id: string,
  from: MoveState,
  to: { state: MoveState; attempts?: number; tables?: MoveTable[]; error?: string | null },
  at: Date,
): Promise<boolean> {
  const { rowCount } = await pool.query(
    `update directory.region_move set state = $3::text, attempts = coalesce($4::integer, attempts), tables = coalesce($5::jsonb, tables), error = $6::text, updated_at = $7::timestamptz,
            finished_at = case when $3::text in ('DONE', 'FAILED') then $7::timestamptz else null end
      where id = $1 and state = $2`,
    [id, from, to.state, to.attempts ?? null, to.tables ? JSON.stringify(to.tables) : null, to.error ?? null, at],
  );
  return rowCount === 1;
}

/**
 * Runs `fn` holding the move's advisory lock on a connection of its own, so one runner at a time
 * advances a move, whichever instance or role it is in; answers null (and runs nothing) when
 * another runner holds it.
 */
export async function withMoveLock<T>(pool: SqlPool, id: string, fn: () => Promise<T>): Promise<T | null> {
  const client = await pool.connect();
  let isBroken = false;
  try {
    const { rows } = await client.query<{ locked: boolean }>(`select pg_try_advisory_lock(hashtextextended('region_move:' || $1, 0)) as locked`, [id]);
    if (!rows[0]?.locked) return null;
    try {
      return await fn();
    } finally {
      await client.query(`select pg_advisory_unlock(hashtextextended('region_move:' || $1, 0))`, [id]).catch(() => {
        isBroken = true;
      });
    }
  } finally {
    // A connection whose unlock failed would keep the lock: it is closed, not reused.
    client.release(isBroken);
  }
}
