import { Config, loadConfig } from '../../src/config';
import { TEST_ADMIN_TOKEN, TEST_REDIS_URL, TEST_MASTER_KEYS, TEST_SECRET_KEY, testAppDatabaseUrl, testDatabaseUrl, testPlatformDatabaseUrl, testQueuePrefix } from './env';

/**
 * Environment for a service under test: this run's database and queues, a free port, quiet logs.
 * SECRET_KEY is TEST_SECRET_KEY unless the overrides set SECRET_KEYS (then it is left out).
 */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: testAppDatabaseUrl(),
    PLATFORM_DATABASE_URL: testPlatformDatabaseUrl(),
    MIGRATION_DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: testQueuePrefix(),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ...(overrides.SECRET_KEYS === undefined ? { SECRET_KEY: TEST_SECRET_KEY } : {}),
    MASTER_KEYS: TEST_MASTER_KEYS,
    // This run's dashboard build (global-setup.ts), when the tier has one.
    ...(process.env.IDS_TEST_DASHBOARD_DIR ? { DASHBOARD_DIST_DIR: process.env.IDS_TEST_DASHBOARD_DIR } : {}),
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig(testEnv(overrides)).config;
}
