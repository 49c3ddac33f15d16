import { MikroORM } from '@mikro-orm/postgresql';
import { Redis } from 'ioredis';
import { Config } from './config';
import { CustomerDirectory, loadCustomerConfig } from './customers';
import { LoginStep, SharedAssociationCache } from './openid-provider';
import { openDatabase, SERVICE_QUERY_TIMEOUT_MS } from './db/open-database';
import { Database } from './db/scope';
import { createSqlPool } from './db/sql-pool';
import { ChangeFeed } from './db/change-feed';
import { HttpServer } from './http/server';
import { RunningWorkers } from './jobs/workers';
import { createJobProducer } from './jobs/producer';
import { systemClock, Clock } from './shared/clock';
import { Resolver } from './shared/net/outbound-guard';
import { cryptoRandom, RandomSource } from './shared/random';
import { Logger } from './shared/logger';
import { buildServices, Services } from './composition/build-services';
import { openRedis } from './composition/open-redis';
import { startApiRole } from './composition/start-api-role';
import { startWorkerRole } from './composition/start-worker-role';

export type { Services } from './composition/build-services';

export interface AppOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  random?: RandomSource;
  /** The login step of checkid requests; tests may answer it directly. Defaults to the delegated login flow. */
  loginStep?: LoginStep;
  /** Answers DNS for outbound requests to customer URLs (webhooks, RP discovery); tests inject answers. Defaults to the system resolver. */
  resolve?: Resolver;
}

export interface App {
  config: Config;
  /** The service's own pool, as `ids_app` (row-level security applies). */
  orm: MikroORM;
  /** The platform path's pool, as `ids_platform` (every customer's rows); reached through `db.run(platformScope(…))`. */
  platformOrm: MikroORM;
  /** Every unit of work reaches the tables through this, in a transaction of its own tenant scope. */
  db: Database;
  redis: Redis;
  services: Services;
  http: HttpServer | null;
  workers: RunningWorkers | null;
  /** The PostgreSQL notifications the in-process caches listen on (tests wait on it to know a change has arrived). */
  changes: ChangeFeed;
  /** The base URL the HTTP server listens on, once started (useful with PORT=0). */
  url: string | null;
  /** Stops taking work, finishes what is in flight, closes every pool. Safe to call twice. */
  stop(): Promise<void>;
}

/** Customers (known and unknown slugs) and shared associations each instance keeps in memory at most. */
const CUSTOMER_CACHE_ENTRIES = 10_000;
const ASSOCIATION_CACHE_ENTRIES = 10_000;

/**
 * The composition root: opens the databases and Redis, builds the services once
 * (composition/build-services.ts), then starts the configured ROLE: the API (start-api-role.ts),
 * the workers (start-worker-role.ts), or both.
 */
export async function startApp({ config, log, clock = systemClock, random = cryptoRandom, loginStep, resolve }: AppOptions): Promise<App> {
  const { orm, platformOrm } = await openDatabase(config, log);
  // The login path's own pool and the change feed that keeps its caches honest (issue 15).
  const pool = createSqlPool(config.DATABASE_URL, config.LOGIN_DATABASE_POOL_MAX, SERVICE_QUERY_TIMEOUT_MS, log.child({ feature: 'db' }));
  const changes = new ChangeFeed(config.DATABASE_URL, log.child({ feature: 'change-feed' }));
  const closeDatabase = async () => {
    await changes.close();
    await pool.end();
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
  let redis: Redis;
  try {
    await changes.start();
    redis = await openRedis(config.REDIS_URL);
  } catch (err) {
    await closeDatabase();
    throw err;
  }

  const db = new Database(orm, platformOrm, log.child({ feature: 'db' }));
  // Jobs are added, never run, here: on a connection of its own that fails fast while Redis is down.
  const producer = createJobProducer(config.REDIS_URL, config.QUEUE_PREFIX);
  const services = buildServices({ config, log, clock, random, loginStep, resolve, orm, db, pool, directory, sharedAssociations, producer });
  changes.subscribe((change) => services.keys.onChange(change));
  const closeConnections = async () => {
    await producer.close();
    redis.disconnect();
    await closeDatabase();
  };

  let http: HttpServer | null = null;
  let workers: RunningWorkers | null = null;
  let url: string | null = null;
  try {
    if (config.ROLE !== 'worker') ({ http, url } = await startApiRole({ config, log, orm, db, redis, services }));
    if (config.ROLE !== 'api') workers = await startWorkerRole({ config, log, db, services });
  } catch (err) {
    if (http) await http.apollo.stop().catch(() => undefined);
    await closeConnections();
    throw err;
  }

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      // Apollo's drain plugin closes the listener and waits for in-flight requests.
      if (http) await http.apollo.stop();
      if (workers) await workers.close();
      await closeConnections();
      log.info('stopped');
    })();
    return stopping;
  };
  return { config, orm, platformOrm, db, redis, services, http, workers, changes, url, stop };
}
