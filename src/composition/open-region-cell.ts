import { MikroORM } from '@mikro-orm/postgresql';
import { Config, RegionName, RegionSettings } from '../config';
import { CustomerDirectory, CustomerResidency, loadCustomerConfig } from '../customers';
import { LoginStep, SharedAssociationCache } from '../openid-provider';
import { openDatabase, SERVICE_QUERY_TIMEOUT_MS } from '../db/open-database';
import { Database } from '../db/scope';
import { createSqlPool, SqlPool } from '../db/sql-pool';
import { ChangeFeed } from '../db/change-feed';
import { createJobProducer, JobProducer } from '../jobs/producer';
import { Clock } from '../shared/clock';
import { Resolver } from '../shared/net/outbound-guard';
import { RandomSource } from '../shared/random';
import { Logger } from '../shared/logger';
import { buildServices, Services } from './build-services';
import { openRedis } from './open-redis';
import { disconnectRedis, RedisClient, RedisTarget } from '../shared/redis-client';
import type { Tracer } from '@opentelemetry/api';
import { activeTraceParent, traceOrm, traceRedis, traceSqlPool } from '../observability/tracing';

/**
 * One region of a deployment (issue 18): its databases (the service's pool, the platform path's, the
 * login path's), its change feed, its Redis and queues, and every service built on them. A
 * multi-region deployment runs one cell per region in one process; nothing of one cell reaches
 * another's database.
 */
export interface RegionCell {
  region: RegionName;
  /** The deployment's configuration with this region's URLs and queue prefix in place of the unsuffixed ones. */
  config: Config;
  log: Logger;
  orm: MikroORM;
  platformOrm: MikroORM;
  db: Database;
  pool: SqlPool;
  /** The platform path as a plain pool (the region move's copies and digests). */
  platformPool: SqlPool;
  redis: RedisClient;
  producer: JobProducer;
  changes: ChangeFeed;
  services: Services;
  /** Closes the pools, the feed, Redis and the producer (after the roles have stopped). */
  close(): Promise<void>;
}

export interface CellOptions {
  config: Config;
  settings: RegionSettings;
  log: Logger;
  clock: Clock;
  random: RandomSource;
  loginStep?: LoginStep;
  resolve?: Resolver;
  /** This app's tracer when tracing is on: the region's pools and Redis clients are traced. */
  tracer: Tracer | null;
  residency: CustomerResidency;
}

/** Customers (known and unknown slugs) and shared associations each instance keeps in memory at most. */
const CUSTOMER_CACHE_ENTRIES = 10_000;
const ASSOCIATION_CACHE_ENTRIES = 10_000;

/** The config a region's services see: its own databases, Redis and queue prefix. */
export function regionConfig(config: Config, settings: RegionSettings): Config {
  return Object.freeze({
    ...config,
    DATABASE_URL: settings.databaseUrl,
    PLATFORM_DATABASE_URL: settings.platformDatabaseUrl,
    MIGRATION_DATABASE_URL: settings.migrationDatabaseUrl,
    REDIS_URL: settings.redisUrl,
    QUEUE_PREFIX: settings.queuePrefix,
  });
}

/** Migrates the region's database, opens everything the region needs and builds its services. */
export async function openRegionCell(options: CellOptions): Promise<RegionCell> {
  const { settings, clock, random, loginStep, resolve, residency, tracer } = options;
  const config = regionConfig(options.config, settings);
  const log = options.config.regions.length > 1 ? options.log.child({ region: settings.region }) : options.log;
  const { orm, platformOrm } = await openDatabase(config, log);
  // The login path's own pool and the change feed that keeps its caches honest (issue 15).
  const pool = createSqlPool(config.DATABASE_URL, config.LOGIN_DATABASE_POOL_MAX, SERVICE_QUERY_TIMEOUT_MS, log.child({ feature: 'db' }));
  const platformPool = createSqlPool(config.PLATFORM_DATABASE_URL, 2, SERVICE_QUERY_TIMEOUT_MS, log.child({ feature: 'db' }));
  if (tracer) {
    traceOrm(orm, tracer);
    traceOrm(platformOrm, tracer);
    traceSqlPool(pool, tracer);
  }
  const changes = new ChangeFeed(config.DATABASE_URL, log.child({ feature: 'change-feed' }));
  const closeDatabase = async () => {
    await changes.close();
    await pool.end();
    await platformPool.end();
    await orm.close();
    await platformOrm.close();
  };
  const cacheMaxAgeMs = config.CONFIG_CACHE_MAX_AGE_SECONDS * 1000;
  const directory = new CustomerDirectory((slug) => loadCustomerConfig(pool, slug), clock, { maxAgeMs: cacheMaxAgeMs, maxEntries: CUSTOMER_CACHE_ENTRIES });
  const sharedAssociations = new SharedAssociationCache(clock, cacheMaxAgeMs, ASSOCIATION_CACHE_ENTRIES);
  changes.subscribe((change) => {
    if (change === 'customer' || change === 'reset') directory.invalidateAll();
    sharedAssociations.onChange(change);
  });
  let redis: RedisClient;
  const redisTarget: RedisTarget = { url: config.REDIS_URL, isCluster: config.REDIS_CLUSTER };
  try {
    await changes.start();
    redis = await openRedis(redisTarget);
    if (tracer) traceRedis(redis, tracer);
  } catch (err) {
    await closeDatabase();
    throw err;
  }
  const db = new Database(orm, platformOrm, log.child({ feature: 'db' }), tracer ? activeTraceParent : null);
  // Jobs are added, never run, here: on a connection of its own that fails fast while Redis is down.
  const producer = createJobProducer(redisTarget, config.QUEUE_PREFIX, tracer);
  const services = buildServices({ config, log, clock, random, loginStep, resolve, orm, db, pool, directory, sharedAssociations, producer, residency, redis });
  changes.subscribe((change) => {
    services.keys.onChange(change);
    services.oidcKeys.onChange(change);
    services.oidcClientLookup.onChange(change);
  });
  const close = async () => {
    await producer.close();
    disconnectRedis(redis);
    await closeDatabase();
  };
  return { region: settings.region, config, log, orm, platformOrm, db, pool, platformPool, redis, producer, changes, services, close };
}
