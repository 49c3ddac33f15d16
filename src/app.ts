import { MikroORM } from '@mikro-orm/postgresql';
import { RedisClient } from './shared/redis-client';
import { Config } from './config';
import { Region } from './customers';
import { LoginStep } from './openid-provider';
import { Database } from './db/scope';
import { ChangeFeed } from './db/change-feed';
import { HttpServer } from './http/server';
import { RunningWorkers } from './jobs/workers';
import { systemClock, Clock } from './shared/clock';
import { Resolver } from './shared/net/outbound-guard';
import { cryptoRandom, RandomSource } from './shared/random';
import { Logger } from './shared/logger';
import { Services } from './composition/build-services';
import { openRegionCell, RegionCell } from './composition/open-region-cell';
import { openRegionDirectory, reconcileDirectory } from './composition/region-directory';
import { startApiRole } from './composition/start-api-role';
import { startWorkerRole } from './composition/start-worker-role';
import { RegionDirectory, RegionMoveService } from './regions';
import { regionMoveService } from './composition/region-moves';
import { AppMetrics } from './observability/metrics';
import { startMetrics } from './composition/start-metrics';
import { startTracing } from './observability/tracing';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

export type { Services } from './composition/build-services';
export type { RegionCell } from './composition/open-region-cell';

export interface AppOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  random?: RandomSource;
  /** The login step of checkid requests; tests may answer it directly. Defaults to the delegated login flow. */
  loginStep?: LoginStep;
  /** Answers DNS for outbound requests to customer URLs (webhooks, RP discovery); tests inject answers. Defaults to the system resolver. */
  resolve?: Resolver;
  /**
   * Where spans go instead of the OTLP collector, when tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT
   * is set); tests give an InMemorySpanExporter. Without the endpoint tracing stays off regardless.
   */
  traceExporter?: SpanExporter;
}

/**
 * The running service. `orm`, `db`, `services` and the rest are the home region's (the first of
 * REGIONS; the only one of a one-region deployment); `regions` has every region's.
 */
export interface App {
  config: Config;
  /** The service's own pool, as `ids_app` (row-level security applies). */
  orm: MikroORM;
  /** The platform path's pool, as `ids_platform` (every customer's rows); reached through `db.run(platformScope(…))`. */
  platformOrm: MikroORM;
  /** Every unit of work reaches the tables through this, in a transaction of its own tenant scope. */
  db: Database;
  redis: RedisClient;
  services: Services;
  http: HttpServer | null;
  workers: RunningWorkers | null;
  /** The PostgreSQL notifications the in-process caches listen on (tests wait on it to know a change has arrived). */
  changes: ChangeFeed;
  /** Every region served, home region first (issue 18). */
  regions: readonly RegionCell[];
  /** The customer directory: which region holds each customer's data. */
  directory: RegionDirectory;
  /** Moves customers' data between regions (moveCustomerRegion). */
  regionMoves: RegionMoveService;
  /** The base URL the HTTP server listens on, once started (useful with PORT=0). */
  url: string | null;
  /** This app's metrics (its own registry; GET /metrics serves them). */
  metrics: AppMetrics;
  /** The base URL of the METRICS_PORT listener, when configured. */
  metricsUrl: string | null;
  /** Stops taking work, finishes what is in flight, closes every pool. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The composition root: opens every region's databases, Redis and services
 * (composition/open-region-cell.ts) and the customer directory, then starts the configured ROLE:
 * the API (start-api-role.ts), the workers (start-worker-role.ts, one set per region), or both.
 */
export async function startApp({ config, log, clock = systemClock, random = cryptoRandom, loginStep, resolve, traceExporter }: AppOptions): Promise<App> {
  // Off (null) unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then nothing below is wrapped.
  const tracing = startTracing(config, { exporter: traceExporter });
  const tracer = tracing?.tracer ?? null;
  const cells: RegionCell[] = [];
  // One registry per running app, never prom-client's global one: tests run several apps in one process.
  const metrics = new AppMetrics(log.child({ feature: 'metrics' }));
  // The directory is opened once the home region's database (which may hold it) is migrated.
  let directory: RegionDirectory | null = null;
  const served = config.regions.map((r) => Region[r.region]);
  let closeDirectory: (() => Promise<void>) | null = null;
  let regionMoves: RegionMoveService | null = null;
  const closeAll = async () => {
    await regionMoves?.drain();
    await metrics.close();
    for (const cell of cells) await cell.close();
    await closeDirectory?.();
    await tracing?.shutdown();
  };
  try {
    for (const settings of config.regions) {
      cells.push(
        await openRegionCell({
          config,
          settings,
          log,
          clock,
          random,
          loginStep,
          resolve,
          tracer,
          residency: {
            region: Region[settings.region],
            served,
            claim: (entry) => directory!.claim(entry),
            release: (customerId, region) => directory!.release(customerId, region),
          },
        }),
      );
    }
    ({ directory, close: closeDirectory } = await openRegionDirectory(config, clock, log));
    await reconcileDirectory(directory, cells, log);
    regionMoves = regionMoveService(cells, directory, clock, log);
  } catch (err) {
    await closeAll();
    throw err;
  }

  let http: HttpServer[] = [];
  const workers: RunningWorkers[] = [];
  let url: string | null = null;
  let closeApi: (() => Promise<void>) | null = null;
  let metricsListener: Awaited<ReturnType<typeof startMetrics>> = null;
  try {
    metricsListener = await startMetrics(config, metrics, cells);
    if (config.ROLE !== 'worker') ({ http, url, close: closeApi } = await startApiRole({ config, log, cells, directory, regionMoves: regionMoves!, metrics, tracer, clock }));
    // A move left unfinished by a stop is taken up again where both its regions are served.
    if (cells.length > 1) await regionMoves!.resumeAll();
    if (config.ROLE !== 'api')
      for (const cell of cells)
        workers.push(await startWorkerRole({ config: cell.config, log: cell.log, db: cell.db, services: cell.services, observe: metrics.jobs(cell.region), tracer }));
  } catch (err) {
    for (const server of http) await server.apollo.stop().catch(() => undefined);
    await closeApi?.();
    for (const running of workers) await running.close().catch(() => undefined);
    await metricsListener?.close();
    await closeAll();
    throw err;
  }

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      // Apollo's drain plugin (the home region's) closes the listener and waits for in-flight requests.
      for (const server of http) await server.apollo.stop();
      await closeApi?.();
      for (const running of workers) await running.close();
      await metricsListener?.close();
      // closeAll first lets a region move's run finish (each step is recorded; the next start resumes from it).
      await closeAll();
      log.info('stopped');
    })();
    return stopping;
  };
  const home = cells[0]!;
  return {
    config,
    orm: home.orm,
    platformOrm: home.platformOrm,
    db: home.db,
    redis: home.redis,
    services: home.services,
    http: http[0] ?? null,
    workers: workers[0] ?? null,
    changes: home.changes,
    regions: cells,
    directory,
    regionMoves: regionMoves!,
    url,
    metrics,
    metricsUrl: metricsListener?.url ?? null,
    stop,
  };
}
