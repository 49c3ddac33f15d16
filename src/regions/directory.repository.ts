import { SqlPool } from '../db/sql-pool';
import type { RegionName } from '../config';

/** A customer's line in the directory: where its data lives, and nothing about people. */
export interface DirectoryEntry {
  customerId: string;
  slug: string;
  region: RegionName;
  /** MOVING while a region move copies its data: requests for it are refused until the move switches. */
  status: 'ACTIVE' | 'MOVING';
}

interface EntryRow {
  customer_id: string;
  slug: string;
  region: RegionName;
  status: 'ACTIVE' | 'MOVING';
}

const COLUMNS = 'customer_id, slug, region, status';

function toEntry(row: EntryRow): DirectoryEntry {
  return { customerId: row.customer_id, slug: row.slug, region: row.region, status: row.status };
}

export async function entryBySlug(pool: SqlPool, slug: string): Promise<DirectoryEntry | null> {
  const { rows } = await pool.query<EntryRow>({ name: 'ids_directory_by_slug', text: `select ${COLUMNS} from directory.customer where slug = $1`, values: [slug] });
  return rows[0] ? toEntry(rows[0]) : null;
}

export async function entryById(pool: SqlPool, customerId: string): Promise<DirectoryEntry | null> {
  const { rows } = await pool.query<EntryRow>({ name: 'ids_directory_by_id', text: `select ${COLUMNS} from directory.customer where customer_id = $1`, values: [customerId] });
  return rows[0] ? toEntry(rows[0]) : null;
}

/**
 * Claims `slug` for a new customer in `region`: false when another customer (in any region) has it.
 * Run before the customer's row is written, so two regions can never both create one slug. The
 * caller has found no customer with that slug in its region: an entry of that same region for it is
 * left from a customer deleted there, and is taken over.
 */
export async function claimEntry(pool: SqlPool, entry: Omit<DirectoryEntry, 'status'>): Promise<boolean> {
  const { rowCount } = await pool.query(
    `insert into directory.customer as d (customer_id, slug, region, status, updated_at) values ($1, $2, $3, 'ACTIVE', now())
     on conflict (slug) do update set customer_id = excluded.customer_id, updated_at = now()
      where d.region = excluded.region and d.status = 'ACTIVE'`,
    [entry.customerId, entry.slug, entry.region],
  );
  return rowCount === 1;
}

/** Removes a claim whose customer was never written (its transaction rolled back). */
export async function releaseEntry(pool: SqlPool, customerId: string, region: RegionName): Promise<void> {
  await pool.query(`delete from directory.customer where customer_id = $1 and region = $2`, [customerId, region]);
}

/**
 * Adds the customers a region holds that the directory lacks (a deployment's first start after the
 * upgrade, a claim lost to a crash). An entry already there is left alone: the directory, not a
 * region's table, says where a customer lives (a half-finished move leaves copies in two regions).
 * Answers the slugs another customer already holds, which cannot be routed.
 */
export async function addMissingEntries(pool: SqlPool, region: RegionName, customers: ReadonlyArray<{ id: string; slug: string }>): Promise<string[]> {
  if (customers.length === 0) return [];
  const { rows } = await pool.query<{ slug: string }>(
    `with given as (select * from unnest($1::uuid[], $2::text[]) as g(customer_id, slug)),
          added as (
            insert into directory.customer (customer_id, slug, region, status, updated_at)
            select customer_id, slug, $3, 'ACTIVE', now() from given
            on conflict do nothing returning customer_id)
     select g.slug from given g
      where g.customer_id not in (select customer_id from added)
        and exists (select 1 from directory.customer d where d.slug = g.slug and d.customer_id <> g.customer_id)`,
    [customers.map((c) => c.id), customers.map((c) => c.slug), region],
  );
  return rows.map((r) => r.slug);
}

/** Marks a customer as moving (true) or back to active; false when its entry is not in `region`. */
export async function setMoving(pool: SqlPool, customerId: string, region: RegionName, isMoving: boolean): Promise<boolean> {
  const { rowCount } = await pool.query(`update directory.customer set status = $3, updated_at = now() where customer_id = $1 and region = $2`, [
    customerId,
    region,
    isMoving ? 'MOVING' : 'ACTIVE',
  ]);
  return rowCount === 1;
}

/** The move's switch: the customer's data is now read in `target`, and requests flow again. */
export async function switchRegion(pool: SqlPool, customerId: string, source: RegionName, target: RegionName): Promise<boolean> {
  const { rowCount } = await pool.query(
    `update directory.customer set region = $3, status = 'ACTIVE', updated_at = now() where customer_id = $1 and region in ($2, $3)`,
    [customerId, source, target],
  );
  return rowCount === 1;
}

/** Fails unless the directory's table is there and readable (start-up's check of DIRECTORY_DATABASE_URL). */
export async function checkDirectory(pool: SqlPool): Promise<void> {
  await pool.query('select 1 from directory.customer limit 1');
}
