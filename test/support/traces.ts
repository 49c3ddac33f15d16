import { asOwner } from './app';

/**
 * The full-table search for a person's traces after an erasure: every row of every public table,
 * as the tables' owner sees it (row-level security does not hide any), read as text.
 */

/** Per needle, the tables with rows whose text contains it and how many; a needle found nowhere maps to {}. */
export async function tablesMentioning(needles: readonly string[]): Promise<Record<string, Record<string, number>>> {
  return asOwner(async (sql) => {
    const tables: Array<{ tablename: string }> = await sql(`select tablename from pg_tables where schemaname = 'public' order by 1`);
    const found: Record<string, Record<string, number>> = {};
    for (const needle of needles) {
      found[needle] = {};
      for (const { tablename } of tables) {
        const [row] = await sql(`select count(*)::int as n from "${tablename}" t where strpos(t::text, ?) > 0`, [needle]);
        if (row.n > 0) found[needle]![tablename] = row.n;
      }
    }
    return found;
  });
}
