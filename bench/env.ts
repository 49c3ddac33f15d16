import { createHash } from 'node:crypto';
/**
 * The one place that builds the environment of the service under test. Keep it in step with
 * test/support/config.ts (testEnv): when the service gains a variable it needs to start, add it here.
 */

export interface BenchServiceSettings {
  /** The bench database as its owner (the bench's PostgreSQL user), who applies the migrations. */
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  port: number;
  adminToken: string;
  secretKey: string;
  role: 'api' | 'worker' | 'all';
}

/** Environment for `node dist/src/main.js`: production mode, loopback only, this run's database and queues. */
export function serviceEnv(settings: BenchServiceSettings): Record<string, string> {
  return {
    // production: the mode operators run, and it refuses generated secrets, so nothing is left to chance.
    NODE_ENV: 'production',
    // The service works as ids_app (created by the migrations) so row-level security applies, as in
    // production; the owner only migrates.
    DATABASE_URL: appDatabaseUrl(settings.databaseUrl),
    // The platform path (operator, maintenance jobs) works as ids_platform, on its own small pool.
    PLATFORM_DATABASE_URL: appDatabaseUrl(settings.databaseUrl, 'ids_platform'),
    MIGRATION_DATABASE_URL: settings.databaseUrl,
    REDIS_URL: settings.redisUrl,
    QUEUE_PREFIX: settings.queuePrefix,
    HOST: '127.0.0.1',
    PORT: String(settings.port),
    PUBLIC_URL: `http://127.0.0.1:${settings.port}`,
    ROLE: settings.role,
    // info is what production logs; the service logs nothing per request at this level.
    LOG_LEVEL: 'info',
    ADMIN_TOKEN: settings.adminToken,
    SECRET_KEY: settings.secretKey,
    MASTER_KEYS: benchMasterKeys(settings.databaseUrl),
    // One load generator on one address plays every user: the abuse limits still count every
    // request (their cost is part of what is measured) but are set so they never refuse one.
    ...Object.fromEntries(
      ['POSTBACK_PER_ADDRESS', 'POSTBACK_PER_API_KEY', 'OPENID_PER_ADDRESS', 'ASSOCIATE_PER_ADDRESS', 'RP_DISCOVERY_PER_ADDRESS', 'CONSENT_PER_ADDRESS', 'TOKEN_PER_CLIENT', 'GRAPHQL_PER_TOKEN'].map((name) => [
        `RATE_LIMIT_${name}`,
        '1000000000',
      ]),
    ),
    // Likewise the cap on live associations per address: the associate scenario stores thousands.
    ASSOCIATION_MAX_LIVE_PER_ADDRESS: '1000000000',
  };
}

/** The same database through the application role, or `role` (as test/support/env.ts testAppDatabaseUrl). */
export function appDatabaseUrl(ownerUrl: string, role: 'ids_app' | 'ids_platform' = 'ids_app'): string {
  const url = new URL(ownerUrl);
  url.username = role;
  url.password = '';
  return url.toString();
}

/**
 * Production requires a key-encryption key: 32 bytes of this run's own, from its database's URL, so
 * the service and the worker scenarios' process, which share the database, open the same keys.
 */
export function benchMasterKeys(ownerDatabaseUrl: string): string {
  return `v1:${createHash('sha256').update(`bench-master-key\n${ownerDatabaseUrl}`).digest('base64')}`;
}
