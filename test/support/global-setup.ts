import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/**
 * Runs once before the integration tier: compiles the service (tests that start it as a child
 * process run the compiled code), then creates a database for this run and applies the migrations.
 */
export default async function globalSetup(): Promise<void> {
  const run = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const base = process.env.IDS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(base);
  url.pathname = `/ids_test_${run}`;
  process.env.IDS_TEST_DATABASE_URL = url.toString();
  process.env.IDS_TEST_QUEUE_PREFIX = `ids-test-${run}`;

  const root = join(__dirname, '..', '..');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  // Migrate from a child process: MikroORM initialised here would leave metadata built in this
  // realm on the shared global, which breaks every in-test MikroORM.init (mikro-orm#3783).
  execFileSync(process.execPath, [join(root, 'dist', 'src', 'db', 'migrate.js')], {
    cwd: root,
    stdio: 'inherit',
    env: { PATH: process.env.PATH ?? '', MIGRATION_DATABASE_URL: url.toString(), ADMIN_TOKEN: 'x'.repeat(32), SECRET_KEY: 'x'.repeat(32) },
  });
}
