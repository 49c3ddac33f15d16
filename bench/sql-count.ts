import { readFileSync } from 'node:fs';
import { Client } from 'pg';

/** Reads how many SQL statements the service under test has sent so far. */
export interface SqlCounter {
  /** How the count is taken, printed with the results. */
  readonly method: string;
  read(): Promise<number>;
}

/** Whether pg_stat_statements is loaded into the cluster (it counts only when preloaded). */
export async function statStatementsLoaded(adminUrl: string): Promise<boolean> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ setting: string }>(`select setting from pg_settings where name = 'shared_preload_libraries'`);
    const available = await client.query(`select 1 from pg_available_extensions where name = 'pg_stat_statements'`);
    return available.rowCount === 1 && (rows[0]?.setting ?? '').split(',').map((s) => s.trim()).includes('pg_stat_statements');
  } finally {
    await client.end();
  }
}

/**
 * Sum of `calls` in pg_stat_statements for the bench database. Our own reading runs through a
 * separate connection to that database, so each reading adds its own statements: we subtract them.
 */
export async function statStatementsCounter(databaseUrl: string): Promise<SqlCounter & { close(): Promise<void> }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('create extension if not exists pg_stat_statements');
  const sql = `select coalesce(sum(calls), 0)::bigint as n from pg_stat_statements s join pg_database d on d.oid = s.dbid where d.datname = current_database()`;
  let readings = 0;
  return {
    method: 'pg_stat_statements (sum of calls in the bench database)',
    read: async () => {
      const { rows } = await client.query<{ n: string }>(sql);
      readings += 1;
      return Number(rows[0]!.n) - readings;
    },
    close: () => client.end(),
  };
}

/** Asks the service's preloaded counter (sql-counter.ts) for a reading and waits for it. */
export function preloadCounter(pid: number, file: string): SqlCounter {
  const current = (): [number, number] => {
    try {
      const [seq, count] = readFileSync(file, 'utf8').trim().split(' ').map(Number);
      return [seq ?? 0, count ?? 0];
    } catch {
      return [0, 0];
    }
  };
  return {
    method: "statements sent through the service's pg client (counted in-process, BEGIN/COMMIT included)",
    read: async () => {
      const [before] = current();
      process.kill(pid, 'SIGUSR2');
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 2));
        const [seq, count] = current();
        if (seq > before) return count;
      }
      throw new Error('the service did not answer the SQL count signal');
    },
  };
}
