import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Issue 16: raw SQL lives in `<noun>.repository.ts` files, in the hot path's SQL functions (created
 * by migrations), and in the database layer itself; services call repositories. A statement sent
 * from anywhere else fails here.
 */

const ROOT = join(__dirname, '..', '..', '..');
const SRC = join(ROOT, 'src');

/** Calls that send SQL: an EntityManager's or connection's `execute`, a pg pool's or client's `query`, knex's `raw`, and executeBound. */
const SQL_CALL = /\.(?:execute|query)\s*(?:<[^()]*>)?\(|\bgetKnex\s*\(|\.raw\(\s*[`'"]|\bexecuteBound\s*\(/;

/** Files other than repositories and migrations that may send SQL, and why. */
const ALLOWED: Record<string, string> = {
  'db/scope.ts': 'enters a unit of work\'s scope (set_config, ids_enter_customer_row) and defines executeBound',
  'db/open-database.ts': 'checks each pool\'s role at start-up and answers the readiness probe (select 1)',
  'db/ensure-database.ts': 'creates and drops the database itself',
  'db/change-feed.ts': 'LISTENs for the change notifications',
  'db/pool-usage.ts': 'reads the ORM pool\'s counters for the metrics through getKnex(); sends no statement',
  'openid-provider/pg-stores.ts': 'the OP endpoint\'s association and nonce stores: one call of a hot-path SQL function each',
};

function isAllowed(file: string): boolean {
  return file.endsWith('.repository.ts') || file.startsWith('db/migrations/') || file in ALLOWED;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Lines of `text` that call SQL, ignoring comment lines. */
function sqlCalls(text: string): string[] {
  return text
    .split('\n')
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => !line.startsWith('//') && !line.startsWith('*') && SQL_CALL.test(line))
    .map(({ line, number }) => `${number}: ${line}`);
}

describe('where SQL lives', () => {
  const files = sourceFiles(SRC).map((path) => ({ file: relative(SRC, path).split(sep).join('/'), text: readFileSync(path, 'utf8') }));

  it('sends SQL only from repositories, migrations and the database layer', () => {
    const offenders = files.filter(({ file }) => !isAllowed(file)).flatMap(({ file, text }) => sqlCalls(text).map((call) => `src/${file}:${call}`));
    expect(offenders).toEqual([]);
  });

  it('recognises the calls it looks for', () => {
    expect(sqlCalls(`await em.execute('select 1');`)).toHaveLength(1);
    expect(sqlCalls(`const [row] = await this.deps.em.execute<Array<{ id: string }>>(\`select id from customer\`);`)).toHaveLength(1);
    expect(sqlCalls(`const { rows } = await this.pool.query<{ n: number }>({ name: 'x', text: 'select 1' });`)).toHaveLength(1);
    expect(sqlCalls(`await orm.em.getConnection().execute('select 1')`)).toHaveLength(1);
    expect(sqlCalls(`const query = em.getConnection().getKnex().raw(sql, params);`)).toHaveLength(1);
    expect(sqlCalls(`await executeBound(em, 'select 1', []);`)).toHaveLength(1);
    // GraphQL's execute and express.raw are not SQL.
    expect(sqlCalls(`return execute({ principal });`)).toHaveLength(0);
    expect(sqlCalls(`const rawForm = express.raw({ type: () => true });`)).toHaveLength(0);
  });

  it('lists only allowed files that still send SQL, each with its reason', () => {
    for (const [file, reason] of Object.entries(ALLOWED)) {
      const found = files.find((f) => f.file === file);
      expect({ file, exists: found !== undefined, sendsSql: found ? sqlCalls(found.text).length > 0 : false }).toEqual({ file, exists: true, sendsSql: true });
      expect(reason.length).toBeGreaterThan(0);
    }
  });
});
