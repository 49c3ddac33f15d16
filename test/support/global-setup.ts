import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '@jest/types';
import { Client } from 'pg';
import { TS_REGISTER } from './process';

const ROOT = join(__dirname, '..', '..');

/**
 * Runs once before the integration and http tiers (whichever runs first; the second finds the
 * databases made): creates a database for this run, applies the migrations to it, then copies it
 * once per Jest worker, so that test files running side by side each empty and fill a database of
 * their own (env.ts picks it by JEST_WORKER_ID).
 */
export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  if (process.env.IDS_TEST_DATABASE_URL) return;
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const base = process.env.IDS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(base);
  url.pathname = `/ids_test_${runId}`;

  // Migrate from a child process: MikroORM initialised here would leave metadata built in this
  // realm on the shared global, which breaks every in-test MikroORM.init (mikro-orm#3783). Meanwhile
  // another child loads the whole service once, so that ts-register.js has transpiled every file
  // before a test starts the service and waits for its first log line. A third builds the
  // dashboard from its sources into a directory of this run's own, which every test service serves
  // (config.ts: DASHBOARD_DIST_DIR), so a test never runs against a stale or missing build, nor one
  // that `npm start` or `npm run demo` (run by the README tests) is rebuilding in clients/dashboard/dist.
  const dashboardDir = join(tmpdir(), `ids-test-dashboard-${runId}`);
  await Promise.all([
    run([join(ROOT, 'src', 'db', 'migrate.ts')], migrationEnv(url)),
    run(['-e', `require(${JSON.stringify(join(ROOT, 'src', 'app.ts'))})`], { PATH: process.env.PATH ?? '' }),
    buildDashboard(dashboardDir),
  ]);
  process.env.IDS_TEST_DASHBOARD_DIR = dashboardDir;

  const admin = new Client({ connectionString: base });
  await admin.connect();
  try {
    for (let worker = 1; worker <= Math.max(1, globalConfig.maxWorkers); worker++) {
      await admin.query(`create database "ids_test_${runId}_w${worker}" template "ids_test_${runId}"`);
    }
  } finally {
    await admin.end();
  }
  process.env.IDS_TEST_DATABASE_URL = url.toString();
  process.env.IDS_TEST_QUEUE_PREFIX = `ids-test-${runId}`;
}

/** Runs `node -r ts-register.js …args` to its end, quietly (`npm test` prints only test results); fails with its output when it fails. */
function run(args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-r', TS_REGISTER, ...args], { cwd: ROOT, env }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${args.join(' ')} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

/** `npm run dashboard:build` (Vite) into `outDir`, without npm: a second or two. */
function buildDashboard(outDir: string): Promise<void> {
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    // NODE_ENV is `test` under Jest: React would be bundled in its development build, not the one shipped.
    const env = { ...process.env, NODE_ENV: 'production' };
    execFile(process.execPath, [vite, 'build', '--config', join(ROOT, 'clients', 'dashboard', 'vite.config.mts'), '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, env }, (err, stdout, stderr) => {
      if (err) reject(new Error(`the dashboard build failed: ${err.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

function migrationEnv(url: URL): Record<string, string> {
  return { PATH: process.env.PATH ?? '', MIGRATION_DATABASE_URL: url.toString(), ADMIN_TOKEN: 'x'.repeat(32), SECRET_KEY: 'x'.repeat(32) };
}
