import type { MikroORM } from '@mikro-orm/postgresql';
import type { SqlPool } from './sql-pool';

/** A connection pool's state: connections open, of which idle, and callers waiting for one. */
export interface PoolUsageCounts {
  total: number;
  idle: number;
  waiting: number;
}

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

/** The knex (tarn) pool under a MikroORM instance; all zero before it has one. */
export function ormPoolUsage(orm: MikroORM): PoolUsageCounts {
  const pool = (orm.em.getConnection().getKnex().client as { pool?: TarnPool }).pool;
  if (!pool) return { total: 0, idle: 0, waiting: 0 };
  return { total: pool.numUsed() + pool.numFree(), idle: pool.numFree(), waiting: pool.numPendingAcquires() };
}

/** A plain `pg` pool (sql-pool.ts). */
export function sqlPoolUsage(pool: SqlPool): PoolUsageCounts {
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}
