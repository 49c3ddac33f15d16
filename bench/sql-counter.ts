/**
 * Preloaded into the service under test (NODE_OPTIONS=--require) only by the bench, and only when
 * BENCH_SQL_COUNT_FILE is set: counts every statement the service sends to PostgreSQL through
 * `pg` (BEGIN and COMMIT included), and on SIGUSR2 writes "<reading number> <count>" to that file.
 *
 * Why here and not in PostgreSQL: pg_stat_statements counts statements only when it is in
 * shared_preload_libraries, which needs a server restart the bench must not impose on a shared
 * cluster. The bench prefers pg_stat_statements when it is loaded (see sql-count.ts).
 */
import { writeFileSync } from 'node:fs';
import { Client } from 'pg';

const target = process.env.BENCH_SQL_COUNT_FILE;
if (target) {
  let statements = 0;
  let readings = 0;
  const prototype = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = prototype.query;
  prototype.query = function countedQuery(this: unknown, ...args: unknown[]) {
    statements += 1;
    return query.apply(this, args);
  };
  process.on('SIGUSR2', () => {
    readings += 1;
    writeFileSync(target, `${readings} ${statements}\n`);
  });
}
