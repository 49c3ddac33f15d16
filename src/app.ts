import { AddressInfo } from 'node:net';
import { MikroORM } from '@mikro-orm/postgresql';
import { Redis } from 'ioredis';
import { Config } from './config';
import { ensureDatabase, ormOptions } from './db';
import { CustomerDirectory, CustomerService, loadCustomerConfig } from './customers';
import { createRealmFetcher, DiscoveryService, LoginStep, OpenIdProviderService, ReturnToVerifier, SharedAssociationCache, YadisRealmDiscovery } from './openid-provider';
import { deleteRetiredAuthRequests, IdentityFlowService } from './identity-flow';
import { ConsentService } from './consent';
import { ProfileService } from './profiles';
import { OAuthClientService, OAuthLoginCodeService, OAuthTokenService } from './oauth';
import { OperatorTokenService } from './operators';
import { deleteExpiredRows } from './db/purge';
import { Database, platformScope } from './db/scope';
import { createSqlPool } from './db/sql-pool';
import { ChangeFeed } from './db/change-feed';
import { buildGraphqlSchema, createResolvers } from './graphql/build-schema';
import { createHttpServer, HttpServer } from './http/server';
import { AbuseGuard, auditLockout, CounterStore } from './http/abuse';
import { RunningWorkers, startWorkers } from './jobs/workers';
import { purgeExpiredJob } from './jobs/purge-expired.job';
import { AuditService, deleteReleasedOutboxRows } from './audit';
import { Purger, RetentionService } from './retention';
import { auditDrainJob } from './audit/audit-drain.job';
import { deleteFailedDeliveries, deliverWebhookJob, dispatchWebhooksJob, WebhookService } from './webhooks';
import { ErasurePurge, ErasureService, erasureJobs } from './erasure';
import { DownloadSigner, ExportService, profileExportJobs } from './exports';
import { createJobProducer } from './jobs/producer';
import { JOBS, ProcessDeletionRequestPayload, QUEUES } from './jobs/queues';
import { systemClock, Clock } from './shared/clock';
import { OutboundGuard, Resolver } from './shared/net/outbound-guard';
import { createSealer } from './shared/sealed-box';
import { createKeyedHash } from './shared/keyed-hash';
import { cryptoRandom, RandomSource } from './shared/random';
import { Logger } from './shared/logger';
import { redactUrl, StartupError } from './shared/startup-error';

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

export interface Services {
  audit: AuditService;
  webhooks: WebhookService;
  customers: CustomerService;
  provider: OpenIdProviderService;
  discovery: DiscoveryService;
  identityFlow: IdentityFlowService;
  consent: ConsentService;
  oauthClients: OAuthClientService;
  oauthTokens: OAuthTokenService;
  oauthLoginCodes: OAuthLoginCodeService;
  profiles: ProfileService;
  operatorTokens: OperatorTokenService;
  retention: RetentionService;
  erasure: ErasureService;
  erasurePurge: ErasurePurge;
  exports: ExportService;
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
  /** The base URL the HTTP server listens on, once started (useful with PORT=0). */
  url: string | null;
  /** Stops taking work, finishes what is in flight, closes every pool. Safe to call twice. */
  stop(): Promise<void>;
}

/** RP discovery limits: an XRDS is a few hundred bytes; a realm worth verifying does not redirect much. */
const RP_DISCOVERY_MAX_BYTES = 64 * 1024;
const RP_DISCOVERY_MAX_REDIRECTS = 2;
/** Realms remembered at most, and fetches running at once at most: what an anonymous flood can cost. */
const RP_DISCOVERY_CACHE_ENTRIES = 1000;
const RP_DISCOVERY_MAX_IN_FLIGHT = 32;
/** Of those, at most this many for one customer's checkids, so no customer's traffic starves another's. */
const RP_DISCOVERY_MAX_IN_FLIGHT_PER_CUSTOMER = 4;

const PG_HINT = 'start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
const REDIS_HINT = 'start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

/** The composition root: builds the ORM, services and transports once, for the configured ROLE. */
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
  try {
    await changes.start();
  } catch (err) {
    await closeDatabase();
    throw err;
  }
  let redis: Redis;
  try {
    redis = await openRedis(config.REDIS_URL);
  } catch (err) {
    await closeDatabase();
    throw err;
  }

  const db = new Database(orm, platformOrm, log.child({ feature: 'db' }));
  const audit = new AuditService({ em: orm.em, clock, secretKey: config.SECRET_KEY.reveal() });
  const customers = new CustomerService({
    em: orm.em,
    clock,
    random,
    apiKeyRotationGraceSeconds: config.API_KEY_ROTATION_GRACE_SECONDS,
    audit,
    onConfigChanged: () => db.afterCommit(async () => directory.invalidateAll()),
  });
  const consent = new ConsentService(orm.em, clock, audit);
  const profiles = new ProfileService({ em: orm.em, clock, audit });
  const oauthTokens = new OAuthTokenService({
    em: orm.em,
    clock,
    random,
    secretKey: config.SECRET_KEY.reveal(),
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    audit,
  });
  const oauthLoginCodes = new OAuthLoginCodeService({
    em: orm.em,
    clock,
    random,
    secretKey: config.SECRET_KEY.reveal(),
    loginCodeTtlSeconds: config.LOGIN_CODE_TTL_SECONDS,
    tokens: oauthTokens,
    audit,
  });
  const identityFlow = new IdentityFlowService({
    pool,
    clock,
    random,
    customers: directory,
    loginCodes: oauthLoginCodes,
    subjectHash: (customerId, username) => audit.subjectHash(customerId, username),
    settings: { publicUrl: config.PUBLIC_URL, secretKey: config.SECRET_KEY.reveal(), authRequestTtlSeconds: config.AUTH_REQUEST_TTL_SECONDS },
    log: log.child({ feature: 'identity-flow' }),
  });
  const provider = new OpenIdProviderService({
    pool,
    sharedAssociations,
    associationSealer: createSealer(config.SECRET_KEY.reveal(), 'openid-association-mac-key'),
    associationSourceHash: createKeyedHash(config.SECRET_KEY.reveal(), 'openid-association-source'),
    clock,
    random,
    customers: directory,
    login: loginStep ?? identityFlow,
    returnToVerifier: new ReturnToVerifier({
      discovery: new YadisRealmDiscovery(
        createRealmFetcher({
          policy: { allowPrivate: config.RP_DISCOVERY_ALLOW_PRIVATE_URLS },
          timeoutMs: config.RP_DISCOVERY_TIMEOUT_MS,
          maxBytes: RP_DISCOVERY_MAX_BYTES,
          maxRedirects: RP_DISCOVERY_MAX_REDIRECTS,
          resolve,
        }),
        config.RP_DISCOVERY_TIMEOUT_MS,
      ),
      clock,
      successTtlSeconds: config.RP_DISCOVERY_CACHE_SECONDS,
      failureTtlSeconds: config.RP_DISCOVERY_FAILURE_CACHE_SECONDS,
      maxEntries: RP_DISCOVERY_CACHE_ENTRIES,
      maxInFlight: RP_DISCOVERY_MAX_IN_FLIGHT,
      maxInFlightPerCustomer: RP_DISCOVERY_MAX_IN_FLIGHT_PER_CUSTOMER,
    }),
    settings: {
      publicUrl: config.PUBLIC_URL,
      sharedAssociationLifetimeSeconds: config.ASSOCIATION_LIFETIME_SECONDS,
      privateAssociationLifetimeSeconds: config.PRIVATE_ASSOCIATION_LIFETIME_SECONDS,
      nonceMaxAgeSeconds: config.NONCE_MAX_AGE_SECONDS,
      maxLiveAssociationsPerAddress: config.ASSOCIATION_MAX_LIVE_PER_ADDRESS,
    },
  });
  const webhooks = new WebhookService({
    em: orm.em,
    db,
    clock,
    random,
    sealer: createSealer(config.SECRET_KEY.reveal(), 'webhook-signing-secret'),
    audit,
    policy: { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_URLS },
    outbound: new OutboundGuard({ allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_URLS, resolve }),
    log: log.child({ feature: 'webhooks' }),
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    retrySchedule: config.WEBHOOK_RETRY_SCHEDULE,
    secretGraceSeconds: config.WEBHOOK_SECRET_GRACE_SECONDS,
    restrictions: profiles,
  });
  // Jobs are added, never run, here: on a connection of its own that fails fast while Redis is down.
  const producer = createJobProducer(config.REDIS_URL, config.QUEUE_PREFIX);
  const erasure = new ErasureService({
    em: orm.em,
    clock,
    audit,
    // Queued once the request is committed, so the worker always finds it (the sweep covers a Redis outage).
    enqueue: async (id) =>
      db.afterCommit(() => producer.add(QUEUES.erasure, JOBS.processDeletionRequest, { deletionRequestId: id } satisfies ProcessDeletionRequestPayload, `deletion-${id}`)),
    log: log.child({ feature: 'erasure' }),
  });
  const erasurePurge = new ErasurePurge({ db, em: orm.em, clock, audit, erasure, batchSize: config.ERASURE_BATCH_SIZE, log: log.child({ feature: 'erasure' }) });
  const exportLog = log.child({ feature: 'exports' });
  const exports = new ExportService({
    em: orm.em,
    clock,
    audit,
    profiles,
    sealer: createSealer(config.SECRET_KEY.reveal(), 'profile-export-document'),
    signer: new DownloadSigner(config.SECRET_KEY.reveal()),
    publicUrl: config.PUBLIC_URL,
    ttlSeconds: config.EXPORT_TTL_SECONDS,
    // A lost job is no lost export: the sweep builds every PENDING one.
    enqueue: async (job) => {
      try {
        await producer.add(QUEUES.exports, JOBS.buildProfileExport, { ...job }, job.exportId);
      } catch (err) {
        exportLog.warn({ err: (err as Error).message, exportId: job.exportId }, 'could not queue the export; the sweep will build it');
      }
    },
    afterCommit: (fn) => db.afterCommit(fn),
  });
  const services: Services = {
    audit,
    webhooks,
    customers,
    provider,
    discovery: new DiscoveryService(directory, config.PUBLIC_URL),
    identityFlow,
    consent,
    oauthClients: new OAuthClientService({ em: orm.em, clock, random, audit }),
    oauthTokens,
    oauthLoginCodes,
    profiles,
    operatorTokens: new OperatorTokenService({ em: orm.em, clock, random, secretKey: config.SECRET_KEY.reveal(), audit }),
    retention: new RetentionService({ db, em: orm.em, clock, purgers: buildPurgers(config, db, clock, exports), batchSize: config.PURGE_BATCH_SIZE }),
    erasure,
    erasurePurge,
    exports,
  };

  let http: HttpServer | null = null;
  let workers: RunningWorkers | null = null;
  let url: string | null = null;
  if (config.ROLE !== 'worker') {
    const schema = await buildGraphqlSchema(createResolvers(services, orm.em, config.PUBLIC_URL));
    http = await createHttpServer({
      config,
      db,
      schema,
      log,
      provider: services.provider,
      discovery: services.discovery,
      identityFlow: services.identityFlow,
      oauthTokens: services.oauthTokens,
      oauthLoginCodes: services.oauthLoginCodes,
      exports: services.exports,
      operatorTokens: services.operatorTokens,
      abuse: new AbuseGuard(
        new CounterStore(redis, `${config.QUEUE_PREFIX}:abuse:`, log.child({ feature: 'abuse' })),
        {
          windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
          failureLimit: config.AUTH_FAILURE_LIMIT,
          failureWindowSeconds: config.AUTH_FAILURE_WINDOW_SECONDS,
          lockoutSeconds: config.AUTH_LOCKOUT_SECONDS,
          trustProxy: config.TRUST_PROXY,
        },
        auditLockout(db, audit),
      ),
      readiness: [
        { name: 'postgres', check: async () => void (await orm.em.getConnection().execute('select 1')) },
        { name: 'redis', check: async () => void (await redis.ping()) },
      ],
    });
    const server = http.server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.PORT, config.HOST, () => resolve());
      });
    } catch (err) {
      await http.apollo.stop().catch(() => undefined);
      await producer.close();
      redis.disconnect();
      await closeDatabase();
      const code = (err as { code?: string }).code;
      throw code === 'EADDRINUSE' ? new StartupError(`port ${config.PORT} on ${config.HOST} is already in use; set PORT to a free one`) : err;
    }
    const address = server.address() as AddressInfo;
    url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
    log.info({ url, publicUrl: config.PUBLIC_URL }, 'HTTP server listening');
  }
  if (config.ROLE !== 'api') {
    workers = await startWorkers({
      redisUrl: config.REDIS_URL,
      prefix: config.QUEUE_PREFIX,
      handlers: [
        purgeExpiredJob({ retention: services.retention, everyMs: config.PURGE_INTERVAL_SECONDS * 1000 }),
        auditDrainJob({ db, audit, batchSize: config.AUDIT_DRAIN_BATCH_SIZE, everyMs: config.AUDIT_DRAIN_INTERVAL_MS }),
        dispatchWebhooksJob({ db, webhooks, everyMs: config.WEBHOOK_POLL_INTERVAL_MS }),
        deliverWebhookJob({ webhooks, concurrency: config.WEBHOOK_CONCURRENCY }),
        ...erasureJobs({
          purge: erasurePurge,
          sweepEveryMs: config.ERASURE_SWEEP_INTERVAL_SECONDS * 1000,
          staleSeconds: config.ERASURE_STALE_SECONDS,
          retentionEveryMs: config.PROFILE_RETENTION_INTERVAL_SECONDS * 1000,
        }),
        ...profileExportJobs({ db, exports, sweepEveryMs: config.EXPORT_SWEEP_INTERVAL_SECONDS * 1000 }),
      ],
      log,
    });
  }

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      // Apollo's drain plugin closes the listener and waits for in-flight requests.
      if (http) await http.apollo.stop();
      if (workers) await workers.close();
      await producer.close();
      redis.disconnect();
      await closeDatabase();
      log.info('stopped');
    })();
    return stopping;
  };
  return { config, orm, platformOrm, db, redis, services, http, workers, url, stop };
}

const HOUR_MS = 3600 * 1000;
/** Customers (known and unknown slugs) and shared associations each instance keeps in memory at most. */
const CUSTOMER_CACHE_ENTRIES = 10_000;
const ASSOCIATION_CACHE_ENTRIES = 10_000;
/** Longest a query of the service may wait on a connection that went silent (a network partition) before it fails. */
const SERVICE_QUERY_TIMEOUT_MS = 30_000;

/**
 * Every kind of row the retention purge removes, each batch in its own platform-path transaction.
 * The README's *Retention* section lists them; keep the two in step.
 */
function buildPurgers(config: Config, db: Database, clock: Clock, exports: ExportService): Purger[] {
  const routine = (kind: string) => platformScope(`purge ${kind}`, { routine: true });
  const expiring = (['customer_api_key', 'openid_association', 'openid_nonce', 'oauth_access_token', 'oauth_login_code'] as const).map((table) => ({
    name: table,
    purge: (batchSize: number) => db.run(routine(table), () => deleteExpiredRows(db.orm.em, table, clock.now(), batchSize)),
  }));
  return [
    ...expiring,
    {
      name: 'auth_request',
      purge: (batchSize: number) =>
        db.run(routine('auth_request'), () =>
          deleteRetiredAuthRequests(db.orm.em, new Date(clock.now().getTime() - config.AUTH_REQUEST_RETENTION_HOURS * HOUR_MS), batchSize),
        ),
    },
    { name: 'profile_export', purge: (batchSize: number) => db.run(routine('profile_export'), () => exports.purgeExpired(batchSize)) },
    {
      name: 'audit_outbox',
      purge: (batchSize: number) =>
        db.run(routine('audit_outbox'), () =>
          deleteReleasedOutboxRows(db.orm.em, new Date(clock.now().getTime() - config.AUDIT_OUTBOX_RETENTION_HOURS * HOUR_MS), batchSize),
        ),
    },
    {
      name: 'webhook_delivery',
      purge: (batchSize: number) =>
        db.run(routine('webhook_delivery'), () =>
          deleteFailedDeliveries(db.orm.em, new Date(clock.now().getTime() - config.WEBHOOK_FAILED_RETENTION_DAYS * 24 * HOUR_MS), batchSize),
        ),
    },
  ];
}

/** Migrates, then opens the service's pool (as `ids_app`) and the platform path's (as `ids_platform`), each checked for its role. */
async function openDatabase(config: Config, log: Logger): Promise<{ orm: MikroORM; platformOrm: MikroORM }> {
  await migrateDatabase(config.MIGRATION_DATABASE_URL, log);
  const orm = await openPool(config.DATABASE_URL, 'DATABASE_URL', 10, APPLICATION_ROLE);
  try {
    const platformOrm = await openPool(config.PLATFORM_DATABASE_URL, 'PLATFORM_DATABASE_URL', config.PLATFORM_DATABASE_POOL_MAX, PLATFORM_ROLE_CHECK);
    return { orm, platformOrm };
  } catch (err) {
    await orm.close();
    throw err;
  }
}

async function openPool(url: string, name: string, poolMax: number, role: RoleCheck): Promise<MikroORM> {
  let orm: MikroORM;
  try {
    orm = await MikroORM.init(ormOptions(url, { pool: { min: 0, max: poolMax } }, { queryTimeoutMs: SERVICE_QUERY_TIMEOUT_MS }));
  } catch (err) {
    throw new StartupError(`PostgreSQL is not reachable at ${redactUrl(url)} (${describe(err)}); ${PG_HINT}`);
  }
  try {
    await checkRole(orm, url, name, role);
  } catch (err) {
    await orm.close();
    throw err;
  }
  return orm;
}

/** Creates the database when missing and applies pending migrations, as the tables' owner. */
async function migrateDatabase(ownerUrl: string, log: Logger): Promise<void> {
  const where = redactUrl(ownerUrl);
  try {
    if (await ensureDatabase(ownerUrl)) log.info({ database: where }, 'created database');
  } catch (err) {
    throw new StartupError(`PostgreSQL is not reachable at ${where} (${describe(err)}); ${PG_HINT}`);
  }
  const owner = await MikroORM.init(ormOptions(ownerUrl, { pool: { min: 0, max: 1 } }));
  try {
    const applied = await owner.getMigrator().up();
    if (applied.length > 0) log.info({ migrations: applied.map((m) => m.name) }, 'applied migrations');
  } finally {
    await owner.close();
  }
}

/** What a pool's role must be, and what to tell whoever configured another. */
interface RoleCheck {
  /** Whether the role must bypass row-level security (the platform path) or must not (the service's own). */
  bypassesRls: boolean;
  expected: string;
  consequence: string;
}

/** Row-level security binds only a role that owns no table and can neither bypass it nor is a superuser. */
const APPLICATION_ROLE: RoleCheck = {
  bypassesRls: false,
  expected: 'ids_app',
  consequence: 'row-level security would not isolate customers',
};

/**
 * The platform path sees every customer by BYPASSRLS alone: no superuser (which could do anything,
 * also to the schema), no owner (who could change the policies), so a leak of its URL is bounded too.
 */
const PLATFORM_ROLE_CHECK: RoleCheck = {
  bypassesRls: true,
  expected: 'ids_platform',
  consequence: 'the platform path would hold more power than reading and writing rows',
};

/** The service refuses to start with a pool of the wrong role, rather than run with isolation silently off (or too much power on). */
async function checkRole(orm: MikroORM, url: string, name: string, check: RoleCheck): Promise<void> {
  let row: { role: string; rolsuper: boolean; rolbypassrls: boolean; owns: boolean } | undefined;
  try {
    [row] = await orm.em.getConnection().execute(
      `select current_user as role, r.rolsuper, r.rolbypassrls,
              exists (select 1 from pg_tables t where t.schemaname = 'public' and t.tableowner = current_user) as owns
         from pg_roles r where r.rolname = current_user`,
    );
  } catch (err) {
    throw new StartupError(`PostgreSQL refused ${name} ${redactUrl(url)} (${describe(err)}); the migrations create its role ${check.expected}`);
  }
  const reasons = [
    row?.rolsuper && 'is a superuser',
    row?.rolbypassrls !== check.bypassesRls && (check.bypassesRls ? 'lacks BYPASSRLS' : 'has BYPASSRLS'),
    row?.owns && 'owns the tables',
  ].filter(Boolean);
  if (reasons.length > 0) {
    throw new StartupError(
      `${name} connects as ${row!.role}, which ${reasons.join(' and ')}: ${check.consequence}. ` +
        `Connect as ${check.expected} (created by the migrations) and keep the owner in MIGRATION_DATABASE_URL.`,
    );
  }
}

async function openRedis(redisUrl: string): Promise<Redis> {
  // No offline queue: a readiness probe must fail at once while Redis is down, not wait for it.
  const redis = new Redis(redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined); // reconnects on its own; readiness reports the outage
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new StartupError(`Redis is not reachable at ${redactUrl(redisUrl)} (${describe(err)}); ${REDIS_HINT}`);
  }
  return redis;
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e.code ?? e.message ?? 'unknown error';
}
