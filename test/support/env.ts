/**
 * Values the global setup hands to every test file through the environment: the database made for
 * this run and a Redis key prefix no other run uses. Each Jest worker has a copy of the database and
 * a prefix of its own, so files running side by side never empty or drain each other's.
 */
function worker(): string {
  return process.env.JEST_WORKER_ID ?? '1';
}

export function testDatabaseUrl(): string {
  const url = process.env.IDS_TEST_DATABASE_URL;
  if (!url) throw new Error('IDS_TEST_DATABASE_URL is unset: run tests through jest so global setup creates the database');
  const own = new URL(url);
  own.pathname = `${own.pathname}_w${worker()}`;
  return own.toString();
}

/** `url` with another role in it (the test roles have no password). */
export function withRole(url: string, role: string): string {
  const out = new URL(url);
  out.username = role;
  out.password = '';
  return out.toString();
}

/** The same database as the service sees it: through the application role, under row-level security. */
export function testAppDatabaseUrl(): string {
  return withRole(testDatabaseUrl(), 'ids_app');
}

/** The same database as the platform path sees it: through the platform role, which bypasses row-level security. */
export function testPlatformDatabaseUrl(): string {
  return withRole(testDatabaseUrl(), 'ids_platform');
}

export function testQueuePrefix(): string {
  return `${process.env.IDS_TEST_QUEUE_PREFIX ?? 'ids-test'}-w${worker()}`;
}

export const TEST_REDIS_URL = process.env.IDS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';
export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdef0123456789ab';
/** The tests' key-encryption key (32 bytes, base64): one version, `v1`. */
export const TEST_MASTER_KEYS = `v1:${Buffer.from('test-master-key-0123456789abcdef').toString('base64')}`;
