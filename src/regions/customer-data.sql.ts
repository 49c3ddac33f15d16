import { TENANT_TABLES } from '../db/tenant-tables';

/**
 * The statements of a customer's data move between regional databases (issue 18), pure: built from
 * the tenant table list, sent by customer-data.repository.ts. Each table is handled whole, row by
 * row as `to_jsonb`, so a column a later migration adds is compared, copied and erased with no
 * change here (a new tenant table joins TENANT_TABLES, which a schema test enforces).
 */

export type TenantTable = readonly [table: string, column: string];

/** The setting a move's transaction names its customer in; the RegionMove migration's functions refuse without it. */
export const MOVE_SETTING = 'ids.region_move';

/** Rows read and written per statement: a large customer travels in pages, never as one JSON document. */
export const PAGE_ROWS = 1000;

/** The keyring's tables, as the digest names them. */
export const KEYRING_TABLES = ['customer_key', 'person_key'] as const;

/**
 * Columns numbered by each database's own sequence, meaningless elsewhere: `audit_outbox.id` orders
 * the outbox of one database and nothing refers to it. A moved row gets the target's next number
 * (in the source's order, so the drain still takes them oldest first); comparing leaves it out.
 * Keeping it could collide with another customer's row of the target, or with the rows the target's
 * sequence numbers next.
 */
export const REGION_LOCAL_IDS: Readonly<Record<string, string>> = { audit_outbox: 'id' };

/**
 * The transaction's move of `$1` declared, and the text form of its rows fixed (time zone and
 * bytea output are per session settings and could differ between two databases' defaults), so the
 * same rows read as the same text on both sides.
 */
export const ENTER_MOVE_SQL = `select set_config('${MOVE_SETTING}', $1, true), set_config('TimeZone', 'UTC', true), set_config('bytea_output', 'hex', true)`;

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A row as the text it is compared by: its `to_jsonb`, less any region-local id. */
function rowJson(table: string, alias: string): string {
  const local = REGION_LOCAL_IDS[table];
  return local ? `(to_jsonb(${alias}) - '${local}')` : `to_jsonb(${alias})`;
}

/**
 * One statement: per tenant table and keyring table, the customer's (`$1`) row count and the md5 of
 * their rows' JSON texts concatenated in byte order ("C" collation, the same on every database).
 */
export function digestSql(tables: readonly TenantTable[] = TENANT_TABLES): string {
  const perTable = tables.map(
    ([table, column], index) =>
      `select ${index} as ord, '${table}' as "table", count(*)::int as rows, md5(coalesce(string_agg(s.r, '' order by s.r collate "C"), '')) as checksum
         from (select ${rowJson(table, 't')}::text as r from ${quote(table)} t where t.${quote(column)} = $1) s`,
  );
  const keyring = `select ${tables.length} + k.ord, 'keyring.' || k.name, count(e.key_row)::int,
         md5(coalesce(string_agg(e.key_row::text, '' order by e.key_row::text collate "C"), ''))
         from (values ${KEYRING_TABLES.map((name, index) => `(${index}, '${name}')`).join(', ')}) k(ord, name)
         left join keyring.ids_region_move_export($1) e on e.key_table = k.name
        group by k.ord, k.name`;
  return `select "table", rows, checksum from (${[...perTable, keyring].join('\n union all ')}) d order by ord`;
}

/** Foreign keys between tables of the public schema, as (child, parent) names: what the insertion order follows. */
export const FOREIGN_KEYS_SQL = `
  select child.relname as child, parent.relname as parent
    from pg_constraint c
    join pg_class child on child.oid = c.conrelid
    join pg_class parent on parent.oid = c.confrelid
   where c.contype = 'f' and child.relnamespace = 'public'::regnamespace and parent.relnamespace = 'public'::regnamespace`;

/**
 * `tables` in an order where every table comes after the tables its foreign keys point to (ties in
 * list order). Throws on a cycle, which the schema does not have and a move could not insert.
 */
export function insertionOrder(tables: readonly TenantTable[], edges: ReadonlyArray<{ child: string; parent: string }>): TenantTable[] {
  const names = new Set(tables.map(([table]) => table));
  const parents = new Map<string, Set<string>>(tables.map(([table]) => [table, new Set<string>()]));
  for (const { child, parent } of edges) {
    if (child !== parent && names.has(child) && names.has(parent)) parents.get(child)!.add(parent);
  }
  const ordered: TenantTable[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const next = tables.find(([table]) => !placed.has(table) && [...parents.get(table)!].every((p) => placed.has(p)));
    if (!next) throw new Error(`the tenant tables' foreign keys form a cycle among: ${tables.filter(([t]) => !placed.has(t)).map(([t]) => t).join(', ')}`);
    ordered.push(next);
    placed.add(next[0]);
  }
  return ordered;
}

/** A cursor over the customer's (`$1`) rows of `table` as JSON text; the outbox in its own order. */
export function declareCursorSql(cursor: string, [table, column]: TenantTable): string {
  const local = REGION_LOCAL_IDS[table];
  const order = local ? ` order by t.${quote(local)}` : '';
  return `declare ${cursor} no scroll cursor for select to_jsonb(t)::text as r from ${quote(table)} t where t.${quote(column)} = $1${order}`;
}

/** A cursor over the customer's (`$1`) keyring rows, `{key_table, key_row}` as JSON text each. */
export function declareKeyringCursorSql(cursor: string): string {
  return `declare ${cursor} no scroll cursor for select e.key_table, jsonb_build_object('key_table', e.key_table, 'key_row', e.key_row)::text as r
            from keyring.ids_region_move_export($1) e`;
}

export function fetchSql(cursor: string): string {
  return `fetch forward ${PAGE_ROWS} from ${cursor}`;
}

/**
 * Inserts a page of rows (`$1`, a JSON array of `to_jsonb` rows) into `table` as they are: same
 * ids, timestamps, ciphertexts and digests. A region-local id is numbered afresh, in page order.
 */
export function insertPageSql(table: string): string {
  const local = REGION_LOCAL_IDS[table];
  const row = local ? `a.e || jsonb_build_object('${local}', nextval(pg_get_serial_sequence('${quote(table)}', '${local}')))` : 'a.e';
  return `insert into ${quote(table)}
          select r.* from jsonb_array_elements($1::jsonb) with ordinality a(e, n)
          cross join lateral jsonb_populate_record(null::${quote(table)}, ${row}) r`;
}

export const IMPORT_KEYRING_SQL = `select keyring.ids_region_move_import($1, $2::jsonb) as n`;

/** The audit tables: their rows are deleted by `ids_region_move_erase_audit`, the chain being append-only to both roles. */
export const AUDIT_CHAIN_TABLES: ReadonlySet<string> = new Set(['audit_event', 'audit_payload']);

export const ERASE_AUDIT_SQL = `select ids_region_move_erase_audit($1) as n`;

/** The customer's keys (its own and every person's): the keyring's own erasure function, open to the platform path. */
export const SHRED_KEYRING_SQL = `select keyring.ids_shred_customer($1) as n`;

export function deleteSql([table, column]: TenantTable): string {
  return `delete from ${quote(table)} t where t.${quote(column)} = $1`;
}
