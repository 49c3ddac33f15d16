import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { App, startApp } from '../../src/app';
import { Region } from '../../src/customers';
import { createLogger, Logger } from '../../src/shared/logger';
import { Clock } from '../../src/shared/clock';
import type { LoginStep } from '../../src/openid-provider';
import type { Resolver } from '../../src/shared/net/outbound-guard';
import { testConfig } from './config';
import { testDatabaseUrl } from './env';
import { platformScope } from '../../src/db/scope';
import { CHANGES_CHANNEL } from '../../src/db/change-feed';
import { waitUntil } from './wait';
import { freePort } from './redis-server';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface TestAppOptions {
  clock?: Clock;
  /** Instead of a logger at the config's LOG_LEVEL (silent in tests), to read what the service logs. */
  log?: Logger;
  loginStep?: LoginStep;
  resolve?: Resolver;
  /** Where spans go when OTEL_EXPORTER_OTLP_ENDPOINT is set (an InMemorySpanExporter). */
  traceExporter?: SpanExporter;
}

/** Starts the service in-process against this run's database (API only unless ROLE says otherwise). */
export async function startTestApp(overrides: Record<string, string> = {}, options: TestAppOptions = {}): Promise<App> {
  const config = testConfig({ ROLE: 'api', ...overrides });
  return startApp({ config, log: createLogger(config.LOG_LEVEL), ...options });
}

/**
 * Starts the service on a port known in advance, with PUBLIC_URL pointing at it, so that the URLs it
 * hands to RPs lead back to it (or, with `publicUrl`, to another instance behind the same name).
 */
export async function startPublicTestApp(overrides: Record<string, string> = {}, options: TestAppOptions & { publicUrl?: string } = {}): Promise<App> {
  const port = await freePort();
  const publicUrl = options.publicUrl ?? `http://127.0.0.1:${port}`;
  return startTestApp({ PORT: String(port), PUBLIC_URL: publicUrl, ...overrides }, options);
}

/** Creates a customer through the service, as the GraphQL mutation would. */
export async function createTestCustomer(app: App, slug = 'acme', overrides: Record<string, unknown> = {}) {
  return inContext(app, () =>
    app.services.customers.createCustomer({
      slug,
      name: `${slug} Inc.`,
      verifyUrl: 'http://127.0.0.1:9/verify',
      region: Region.EU,
      ...overrides,
    }),
  );
}

/**
 * Runs `fn` with a connection as the tables' owner, which row-level security does not bind: what
 * tests use to look at every row, whoever it belongs to. (The service's own connection, as ids_app,
 * would see nothing outside a scoped transaction.)
 */
export async function asOwner<T>(fn: (sql: OwnerSql) => Promise<T>): Promise<T> {
  const client = await ownerPool().connect();
  let isBroken = false;
  try {
    return await fn(async (text, params = []) => {
      let n = 0;
      return (await client.query(text.replace(/\?/g, () => `$${++n}`), params)).rows;
    });
  } catch (err) {
    // A failed statement may leave the session in an aborted transaction: never hand it on.
    isBroken = true;
    throw err;
  } finally {
    client.release(isBroken);
  }
}

let pool: Pool | null = null;

/**
 * The owner connections of this test file's process, reused: a connection per statement cost a
 * PostgreSQL backend start each time, which was most of the time of tests that arrange many rows.
 * Idle connections close after a second and never keep the process alive.
 */
function ownerPool(): Pool {
  if (!pool) {
    pool = new Pool({ connectionString: testDatabaseUrl(), max: 4, idleTimeoutMillis: 1000, allowExitOnIdle: true });
    // An idle connection dropped by the server (a test stopping PostgreSQL's side) is simply replaced.
    pool.on('error', () => undefined);
  }
  return pool;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OwnerSql = (text: string, params?: unknown[]) => Promise<any[]>;

/** One statement as the tables' owner (`?` placeholders), for tests that inspect or arrange rows directly. */
export const ownerSql: OwnerSql = (text, params) => asOwner((sql) => sql(text, params));

/** Empties every table (but the migrations table), so each test starts from a clean database. */
export async function resetDatabase(): Promise<void> {
  // A service under test with ROLE=all has workers touching these tables. Two things can stand in the
  // truncate's way: a deadlock, which PostgreSQL resolves by failing one side, and a wait PostgreSQL
  // cannot see. A job's platform transaction may wait (in the app) for a statement on the login
  // pool, which queues behind the truncate's pending exclusive lock, which waits for that
  // transaction. So each attempt waits briefly and then steps out of the lock queue, letting the
  // job finish; a session that holds its locks through every attempt is reported by name.
  const deadline = Date.now() + RESET_LOCK_TIMEOUT_MS;
  for (let deadlocks = 0; ; ) {
    try {
      await asOwner(async (sql) => {
        // The keyring too: a test's customers and people start without keys, as they would; and the
        // customer directory, which would otherwise still route the slugs of customers gone.
        const rows: Array<{ tablename: string }> = await sql(
          `select format('%I.%I', schemaname, tablename) as tablename from pg_tables where schemaname in ('public', 'keyring', 'directory') and tablename <> 'mikro_orm_migrations'`,
        );
        if (rows.length === 0) return;
        await sql('begin');
        await sql(`set local lock_timeout = '${RESET_LOCK_ATTEMPT_MS}ms'`);
        await sql(`truncate ${rows.map((r) => r.tablename).join(', ')} cascade`);
        await sql('commit');
      });
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === '55P03') {
        if (Date.now() < deadline) continue;
        throw new Error(`resetDatabase could not lock the tables within ${RESET_LOCK_TIMEOUT_MS} ms; sessions holding them: ${await lockHolders()}`);
      }
      if (code !== '40P01' || ++deadlocks >= 5) throw err;
    }
  }
}

/** How long one attempt of a reset waits in the lock queue before stepping out of it (see resetDatabase). */
const RESET_LOCK_ATTEMPT_MS = 500;

/** How long a reset keeps trying before it names the sessions that held the tables throughout. */
const RESET_LOCK_TIMEOUT_MS = 20_000;

/** Other sessions on this database that are in a transaction, as one line each (for a failure message). */
async function lockHolders(): Promise<string> {
  const rows: Array<{ line: string }> = await ownerSql(
    `select format('%s pid %s, %s, %s since %s: %s', usename, pid, application_name, state, xact_start, left(query, 200)) as line
       from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and xact_start is not null`,
  );
  return rows.length === 0 ? 'none' : rows.map((r) => r.line).join(' | ');
}

/** Row counts of every table, to show that a refused operation wrote nothing. */
export async function tableCounts(): Promise<Record<string, number>> {
  return asOwner(async (sql) => {
    const rows: Array<{ tablename: string }> = await sql(
      `select tablename from pg_tables where schemaname = 'public' and tablename <> 'mikro_orm_migrations' order by 1`,
    );
    const counts: Record<string, number> = {};
    for (const { tablename } of rows) {
      const [row] = await sql(`select count(*)::int as n from "${tablename}"`);
      counts[tablename] = (row as { n: number }).n;
    }
    return counts;
  });
}

/**
 * Runs `fn` in one transaction on the platform path (every customer's rows), as the platform
 * operator's requests do: how tests call services directly.
 */
export function inContext<T>(app: App, fn: () => Promise<T>): Promise<T> {
  return app.db.run(platformScope('test'), fn);
}

/**
 * Resolves once `app` has received every change notification committed before the call (PostgreSQL
 * delivers notifications in commit order, so a marker sent now arrives after them): its caches then
 * hold no entry the notifications will drop later. For tests that count a step's statements.
 */
export async function changesDelivered(app: App): Promise<void> {
  const marker = `test-marker:${randomUUID()}`;
  let seen = false;
  const stop = app.changes.subscribe((change) => {
    if (change === marker) seen = true;
  });
  try {
    await ownerSql('select pg_notify(?, ?)', [CHANGES_CHANNEL, marker]);
    await waitUntil('the change feed to deliver a marker notification', () => seen);
  } finally {
    stop();
  }
}
