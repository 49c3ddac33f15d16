import { AddressInfo } from 'node:net';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Config, plainKeyPrefix } from '../config';
import { pingDatabase } from '../db/open-database';
import { buildGraphqlSchema, createResolvers, ResolverServices } from '../graphql/build-schema';
import { GraphqlRegion, graphqlHandler } from '../graphql/http';
import { RegionFanOut, singleRegion } from '../graphql/region-fan-out';
import { createHttpServer, HttpServer } from '../http/server';
import { regionRouter } from '../http/region-router';
import { AbuseGuard, auditLockout, CounterStore } from '../http/abuse';
import { platformScope } from '../db/scope';
import { Logger } from '../shared/logger';
import { StartupError } from '../shared/startup-error';
import { RegionDirectory, RegionMoveService } from '../regions';
import { RegionCell } from './open-region-cell';
import { platformRegionOf, oauthRegionOf } from './region-routing';
import { adminBoard } from './admin-board';
import { dashboard } from './dashboard';
import { AppMetrics, knownOperationNames, regionMetrics } from '../observability/metrics';
import type { Tracer } from '@opentelemetry/api';
import type { Clock } from '../shared/clock';
import { AccountSessionStore } from '../http/account/account-session.store';
import { privacyCenterPages } from './privacy-center';

export interface ApiRoleDeps {
  config: Config;
  log: Logger;
  /** Every region served, home region first. */
  cells: readonly RegionCell[];
  directory: RegionDirectory;
  regionMoves: RegionMoveService;
  metrics: AppMetrics;
  /** This app's tracer when tracing is on (a span per request and per GraphQL operation). */
  tracer: Tracer | null;
  /** The app's clock, for what the API reads relative to now (the dashboard's chart ranges). */
  clock: Clock;
}

/**
 * The API role: each region's GraphQL schema and HTTP routes on its own services, one front server on
 * HOST:PORT that hands each request to the region holding its customer's data (http/region-router.ts),
 * the abuse guard and readiness checks. Answers the regions' servers and the base URL the front
 * listens on, and `close`, which releases what the role holds besides its servers (the queue board's
 * queues), for after the servers have stopped; a port in use is a StartupError (the servers are
 * stopped again first).
 */
export async function startApiRole({ config, log, cells, directory, regionMoves, metrics, tracer, clock }: ApiRoleDeps): Promise<{ http: HttpServer[]; url: string; close(): Promise<void> }> {
  const handlers = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  // Larger header blocks are refused by Node itself with 431 before any handler runs.
  const front = createServer({ maxHeaderSize: config.HTTP_MAX_HEADER_BYTES }, (req, res) => route(req, res));
  const graphqlRegions: GraphqlRegion[] = [];
  const graphqlDeps = { adminToken: config.ADMIN_TOKEN, regions: graphqlRegions, platformRegion: platformRegionOf(graphqlRegions, directory) };
  const servers: HttpServer[] = [];
  const home = cells[0]!;
  let board: ReturnType<typeof adminBoard> | null = null;
  const close = async () => {
    await board?.close();
  };
  const operationNames = knownOperationNames();
  const readiness = cells.flatMap((cell) => {
    const suffix = cells.length > 1 ? `:${cell.region}` : '';
    return [
      { name: `postgres${suffix}`, check: () => pingDatabase(cell.orm) },
      { name: `redis${suffix}`, check: async () => void (await cell.redis.ping()) },
    ];
  });
  // Privacy center sessions (issue 22) live in the home region's Redis, whichever region holds the customer's data.
  const accountSessions = new AccountSessionStore(home.redis, `${plainKeyPrefix(home.config.QUEUE_PREFIX)}:account-session:`, clock, {
    idleSeconds: config.ACCOUNT_SESSION_IDLE_SECONDS,
    maxSeconds: config.ACCOUNT_SESSION_MAX_SECONDS,
  });
  try {
    for (const cell of cells) {
      const { services, db } = cell;
      const abuse = new AbuseGuard(
        new CounterStore(cell.redis, abuseKeyPrefix(cell.config.QUEUE_PREFIX), cell.log.child({ feature: 'abuse' })),
        {
          windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
          failureLimit: config.AUTH_FAILURE_LIMIT,
          failureWindowSeconds: config.AUTH_FAILURE_WINDOW_SECONDS,
          lockoutSeconds: config.AUTH_LOCKOUT_SECONDS,
          trustProxy: config.TRUST_PROXY,
        },
        auditLockout(db, services.audit),
      );
      if (cell === home) board = adminBoard(config, cells, abuse);
      const schema = await buildGraphqlSchema(createResolvers(services, cell.orm.em, config.PUBLIC_URL, fanOutFrom(cell, cells), regionMoves, clock));
      const http = await createHttpServer({
        config: cell.config,
        db,
        schema,
        log: cell.log,
        drain: cell === home ? front : null,
        graphql: (apollo) => {
          graphqlRegions.push({ region: cell.region, apollo, db, accessTokens: services.oauthTokens, operatorTokens: services.operatorTokens });
          return graphqlHandler(graphqlDeps);
        },
        oauthRegionOf: oauthRegionOf(cells, directory),
        provider: services.provider,
        discovery: services.discovery,
        identityFlow: services.identityFlow,
        exports: services.exports,
        oidcLogout: services.oidcLogout,
        oidc: { authorization: services.oidcAuthorization, signer: services.oidcKeys, customers: services.customerConfigs },
        oidcTokens: services.oidcTokens,
        abuse,
        readiness: cell === home ? readiness : [],
        // The queue board of every region is served once, by the home region (its paths name no customer).
        admin: cell === home ? board!.handler : null,
        dashboard: cell === home ? dashboard(config, cells, abuse, graphqlDeps) : null,
        metrics: regionMetrics(metrics, cell.region, config.METRICS_TOKEN, operationNames),
        tracer,
        account: { sessions: accountSessions, region: cell.region, customers: services.customerConfigs, pages: privacyCenterPages(cell, abuse, accountSessions) },
      });
      servers.push(http);
      handlers.set(cell.region, http.app);
    }
  } catch (err) {
    for (const http of servers) await http.apollo.stop().catch(() => undefined);
    await close();
    throw err;
  }
  const route = regionRouter({ home: handlers.get(home.region)!, regions: handlers, locate: (slug) => directory.bySlug(slug), log });
  try {
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.listen(config.PORT, config.HOST, () => resolve());
    });
  } catch (err) {
    for (const http of servers) await http.apollo.stop().catch(() => undefined);
    await close();
    const code = (err as { code?: string }).code;
    throw code === 'EADDRINUSE' ? new StartupError(`port ${config.PORT} on ${config.HOST} is already in use; set PORT to a free one`) : err;
  }
  const address = front.address() as AddressInfo;
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  log.info({ url, publicUrl: config.PUBLIC_URL, regions: cells.map((c) => c.region) }, 'HTTP server listening');
  return { http: servers, url, close };
}

/** The platform-wide views' reach from `self`: its own services in the current transaction, the others' each in a platform transaction of their own. */
function fanOutFrom(self: RegionCell, cells: readonly RegionCell[]): RegionFanOut<ResolverServices> {
  if (cells.length === 1) return singleRegion(self.region, self.services);
  return {
    each: async (reason, work) => {
      const out = [];
      for (const cell of cells) {
        const value = cell === self ? await work(cell.services, cell.region) : await cell.db.run(platformScope(reason), () => work(cell.services, cell.region));
        out.push({ region: cell.region, value });
      }
      return out;
    },
  };
}

/**
 * The abuse counters' key prefix, a hash tag of its own (issue 20): a lockout and its rate counter are
 * read by one script, which a Redis Cluster runs only on keys of one slot. Every counter shares that
 * slot, away from the queues'; a few INCRs per sign-in are well within one node's reach.
 */
function abuseKeyPrefix(queuePrefix: string): string {
  return `{${plainKeyPrefix(queuePrefix)}:abuse}:`;
}
