import { asOwner } from './app';

/**
 * The search for a person's traces after their erasure: every row of every table, as the owner
 * (who bypasses row-level security) sees them.
 */

/** Every row of every table, serialized. */
export async function everything(): Promise<string> {
  return asOwner(async (sql) => {
    const tables: Array<{ tablename: string }> = await sql(`select tablename from pg_tables where schemaname = 'public' order by 1`);
    const dump: Record<string, unknown[]> = {};
    for (const { tablename } of tables) dump[tablename] = await sql(`select * from "${tablename}"`);
    return JSON.stringify(dump);
  });
}

/** Rows per table mentioning `needle` anywhere. */
export async function rowsMentioning(needle: string): Promise<Record<string, number>> {
  return asOwner(async (sql) => {
    const tables: Array<{ tablename: string }> = await sql(`select tablename from pg_tables where schemaname = 'public' order by 1`);
    const out: Record<string, number> = {};
    for (const { tablename } of tables) {
      const [row] = await sql(`select count(*)::int as n from "${tablename}" t where t::text like ?`, [`%${needle}%`]);
      if (row.n > 0) out[tablename] = row.n;
    }
    return out;
  });
}
