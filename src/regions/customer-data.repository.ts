import type { PoolClient } from 'pg';
import type { SqlPool } from '../db/sql-pool';
import { TENANT_TABLES } from '../db/tenant-tables';
import {
  AUDIT_CHAIN_TABLES,
  declareCursorSql,
  declareKeyringCursorSql,
  deleteSql,
  digestSql,
  ENTER_MOVE_SQL,
  ERASE_AUDIT_SQL,
  fetchSql,
  FOREIGN_KEYS_SQL,
  IMPORT_KEYRING_SQL,
  insertionOrder,
  insertPageSql,
  KEYRING_TABLES,
  SHRED_KEYRING_SQL,
  TenantTable,
} from './customer-data.sql';

/**
 * A customer's rows in one regional database, moved to another (issue 18): compared, copied and
 * erased table by table, on pools connected as the platform role (`ids_platform`, which bypasses
 * row-level security). Every transaction here declares the move of its customer
 * (`ids.region_move`), which the RegionMove migration's functions require before they touch the
 * keyring or the audit chain.
 */

/** One table's share of a customer: its row count and a checksum of the rows' full contents. */
export interface CustomerTableDigest {
  /** A tenant table, or `keyring.customer_key` / `keyring.person_key`. */
  table: string;
  rows: number;
  /** md5 of the rows' JSON texts in byte order: equal on two databases holding the same rows. */
  checksum: string;
}

/** Rows written to one table by a copy. */
export interface CustomerTableCount {
  table: string;
  rows: number;
}

const DIGEST_SQL = digestSql(TENANT_TABLES);

/**
 * Row count and checksum of every tenant table and keyring table for `customerId`, in one
 * statement (one snapshot). `audit_outbox` is compared without its id, which each database numbers
 * itself (see REGION_LOCAL_IDS).
 */
export async function customerDataDigest(pool: SqlPool, customerId: string): Promise<CustomerTableDigest[]> {
  return inTransaction(pool, 'begin read only', async (client) => {
    await client.query(ENTER_MOVE_SQL, [customerId]);
    const { rows } = await client.query<CustomerTableDigest>(DIGEST_SQL, [customerId]);
    return rows;
  });
}

/**
 * Copies every row of `customerId` from `source` to `target` in one transaction on the target:
 * first whatever the target already holds of the customer (an earlier move left half done) is
 * deleted, then every tenant table is filled in foreign-key order and the keyring rows imported,
 * page by page, all read from one snapshot of the source. Rows arrive as they were (ids,
 * timestamps, sealed values, audit digests), but for `audit_outbox.id`, which the target numbers.
 * Nothing is committed unless all of it is. Answers the rows written per table.
 */
export async function copyCustomerData(source: SqlPool, target: SqlPool, customerId: string): Promise<CustomerTableCount[]> {
  return inTransaction(source, 'begin isolation level repeatable read read only', (from) =>
    inTransaction(target, 'begin', async (to) => {
      await from.query(ENTER_MOVE_SQL, [customerId]);
      await to.query(ENTER_MOVE_SQL, [customerId]);
      const order = await tablesInInsertionOrder(to);
      await deleteCustomerRows(to, order, customerId);
      const counts: CustomerTableCount[] = [];
      for (const table of order) counts.push({ table: table[0], rows: await copyTable(from, to, table, customerId) });
      counts.push(...(await copyKeyring(from, to, customerId)));
      return counts;
    }),
  );
}

/**
 * Deletes every row of `customerId` from every tenant table (dependants first) and its keyring
 * rows (the customer's key and every person key), in one transaction. Answers the rows deleted.
 */
export async function eraseCustomerData(pool: SqlPool, customerId: string): Promise<number> {
  return inTransaction(pool, 'begin', async (client) => {
    await client.query(ENTER_MOVE_SQL, [customerId]);
    return deleteCustomerRows(client, await tablesInInsertionOrder(client), customerId);
  });
}

async function tablesInInsertionOrder(client: PoolClient): Promise<TenantTable[]> {
  const { rows } = await client.query<{ child: string; parent: string }>(FOREIGN_KEYS_SQL);
  return insertionOrder(TENANT_TABLES, rows);
}

/** The audit chain first (through the move's function: append-only otherwise), then each table after the ones pointing at it, then the keys. */
async function deleteCustomerRows(client: PoolClient, order: readonly TenantTable[], customerId: string): Promise<number> {
  let deleted = await single(client, ERASE_AUDIT_SQL, [customerId]);
  for (const table of [...order].reverse()) {
    if (AUDIT_CHAIN_TABLES.has(table[0])) continue;
    deleted += (await client.query(deleteSql(table), [customerId])).rowCount ?? 0;
  }
  return deleted + (await single(client, SHRED_KEYRING_SQL, [customerId]));
}

async function copyTable(from: PoolClient, to: PoolClient, table: TenantTable, customerId: string): Promise<number> {
  const insert = insertPageSql(table[0]);
  let copied = 0;
  // A cursor in the source's snapshot; on failure the rollback closes it.
  await from.query(declareCursorSql('move_rows', table), [customerId]);
  for (;;) {
    const { rows } = await from.query<{ r: string }>(fetchSql('move_rows'));
    if (rows.length === 0) break;
    // The rows' JSON texts as they came: never parsed in Node, so no bigint or timestamp is rounded.
    copied += (await to.query(insert, [`[${rows.map((row) => row.r).join(',')}]`])).rowCount ?? 0;
  }
  await from.query('close move_rows');
  return copied;
}

async function copyKeyring(from: PoolClient, to: PoolClient, customerId: string): Promise<CustomerTableCount[]> {
  const counts = new Map<string, number>(KEYRING_TABLES.map((name) => [name, 0]));
  await from.query(declareKeyringCursorSql('move_keys'), [customerId]);
  for (;;) {
    const { rows } = await from.query<{ key_table: string; r: string }>(fetchSql('move_keys'));
    if (rows.length === 0) break;
    await single(to, IMPORT_KEYRING_SQL, [customerId, `[${rows.map((row) => row.r).join(',')}]`]);
    for (const row of rows) counts.set(row.key_table, (counts.get(row.key_table) ?? 0) + 1);
  }
  await from.query('close move_keys');
  return [...counts].map(([name, rows]) => ({ table: `keyring.${name}`, rows }));
}

async function single(client: PoolClient, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await client.query<{ n: number }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** Runs `fn` in a transaction of its own on a connection of `pool`; a connection whose rollback failed is not reused. */
async function inTransaction<T>(pool: SqlPool, begin: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let isBroken = false;
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => {
      isBroken = true;
    });
    throw err;
  } finally {
    client.release(isBroken);
  }
}
