import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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
  const run = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const base = process.env.IDS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(base);
  url.pathname = `/ids_test_${run}`;

  // Migrate from a child process: MikroORM initialised here would leave metadata built in this
  // realm on the shared global, which breaks every in-test MikroORM.init (mikro-orm#3783).
  execFileSync(process.execPath, ['-r', TS_REGISTER, join(ROOT, 'src', 'db', 'migrate.ts')], { cwd: ROOT, stdio: 'inherit', env: migrationEnv(url) });

  const admin = new Client({ connectionString: base });
  await admin.connect();
  try {
    for (let worker = 1; worker <= Math.max(1, globalConfig.maxWorkers); worker++) {
      await admin.query(`create database "ids_test_${run}_w${worker}" template "ids_test_${run}"`);
    }
  } finally {
    await admin.end();
  }
  process.env.IDS_TEST_DATABASE_URL = url.toString();
  process.env.IDS_TEST_QUEUE_PREFIX = `ids-test-${run}`;
}

function migrationEnv(url: URL): Record<string, string> {
  return { PATH: process.env.PATH ?? '', MIGRATION_DATABASE_URL: url.toString(), ADMIN_TOKEN: 'x'.repeat(32), SECRET_KEY: 'x'.repeat(32) };
}
