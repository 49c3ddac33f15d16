import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { ormOptions } from '../../../src/db/mikro-orm.config';
import { serializeQueries } from '../../../src/db/serial-queries';
import { testDatabaseUrl } from '../../support/env';
import { ROOT, TS_REGISTER } from '../../support/process';

/**
 * In a process of its own (Node prints pg's warning there, to stderr, whatever Jest does with
 * `process`): five queries asked at once on one connection, in pg's callback form (knex's) and its
 * promise form, with or without serializeQueries. Answers what they returned and what was printed.
 */
async function askAtOnce(serialized: boolean): Promise<{ answers: number[]; stderr: string }> {
  const script = `
    const { Client } = require('pg');
    const { serializeQueries } = require(${JSON.stringify(join(ROOT, 'src', 'db', 'serial-queries.ts'))});
    (async () => {
      const client = new Client({ connectionString: process.env.URL });
      await client.connect();
      const target = process.env.SERIAL === '1' ? serializeQueries(client) : client;
      const sql = 'select $1::int as n from pg_sleep(0.02)';
      const byCallback = (n) => new Promise((resolve, reject) => target.query(sql, [n], (err, res) => (err ? reject(err) : resolve(res.rows[0].n))));
      const byPromise = async (n) => (await target.query(sql, [n])).rows[0].n;
      const answers = await Promise.all([byCallback(1), byPromise(2), byCallback(3), byPromise(4), byCallback(5)]);
      await client.end();
      process.stdout.write(JSON.stringify(answers));
    })();`;
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-r', TS_REGISTER, '-e', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', URL: testDatabaseUrl(), SERIAL: serialized ? '1' : '0' },
  });
  return { answers: JSON.parse(stdout) as number[], stderr };
}

/**
 * GraphQL resolves sibling fields at once on one transaction's connection; pg 8 warns that pg 9 will
 * refuse a query handed to a busy connection. Every ORM connection runs its queries one at a time.
 */
describe('serializeQueries', () => {
  it('answers every query asked at once, in order, and pg has nothing to warn about', async () => {
    const { answers, stderr } = await askAtOnce(true);
    expect(answers).toEqual([1, 2, 3, 4, 5]);
    expect(stderr).toBe('');
  });

  it('is needed: pg itself warns when queries are handed to a busy connection', async () => {
    const { answers, stderr } = await askAtOnce(false);
    expect(answers).toEqual([1, 2, 3, 4, 5]);
    expect(stderr).toMatch(/DeprecationWarning: Calling client\.query\(\) when the client is already executing a query/);
  });

  it('is on every ORM connection, whatever pool size is asked for', () => {
    const options = ormOptions('postgres://ids_app@127.0.0.1:5432/identity', { pool: { min: 0, max: 3 } });
    expect(options.pool).toMatchObject({ min: 0, max: 3 });
    expect(typeof options.pool?.afterCreate).toBe('function');
  });

  it('tells a callback caller of a query pg refuses at once (a throw), and runs the next one', async () => {
    const client = serializeQueries(new Client({ connectionString: testDatabaseUrl() }));
    await client.connect();
    try {
      // pg throws at once for a null query; knex asks in callback form, and would wait for ever.
      const refused = await new Promise<unknown>((resolve) => (client.query as unknown as (q: null, cb: (err: unknown) => void) => void)(null, resolve));
      expect(refused).toBeInstanceOf(TypeError);
      expect((await client.query<{ n: number }>('select 3 as n')).rows[0]!.n).toBe(3);
    } finally {
      await client.end();
    }
  });

  it('passes a failed query on to its caller and runs the next one', async () => {
    const client = serializeQueries(new Client({ connectionString: testDatabaseUrl() }));
    await client.connect();
    try {
      const failed = client.query('select 1 / 0');
      const next = client.query<{ n: number }>('select 2 as n');
      await expect(failed).rejects.toThrow(/division by zero/);
      expect((await next).rows[0]!.n).toBe(2);
    } finally {
      await client.end();
    }
  });
});
