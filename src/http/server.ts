import { randomUUID } from 'node:crypto';
import { Server } from 'node:http';
import express, { ErrorRequestHandler, Express, RequestHandler } from 'express';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLSchema } from 'graphql';
import { Database } from '../db/scope';
import { Config } from '../config';
import { Logger } from '../shared/logger';
import { GraphqlContext } from '../graphql/context';
import { makeFormatError } from '../graphql/format-error';
import { inputLimitRules } from '../graphql/input-limits';
import { healthRoutes, ReadinessCheck } from './health.routes';
import { openidRoutes } from './openid.routes';
import { DiscoveryService, OpenIdProviderService } from '../openid-provider';
import { IdentityFlowService } from '../identity-flow';
import { identityFlowRoutes } from './identity-flow.routes';
import { OAuthRegionOf, oauthRoutes } from './oauth.routes';
import { oidcTokenRoutes } from './oidc-token.routes';
import { OidcTokenService } from '../oidc-provider';
import { oidcRoutes, OidcRoutesDeps } from './oidc.routes';
import { ExportService } from '../exports';
import { exportRoutes } from './export.routes';
import { oidcLogoutRoutes } from './oidc-logout.routes';
import type { OidcLogoutService } from '../oidc-provider/logout.service';
import { AbuseGuard, digestOf } from './abuse';
import { isSecureRequest, securityHeaders, urlLengthLimit } from './hygiene';
import { textInputGuard } from '../graphql/text-input-guard';
import type { RegionMetrics } from '../observability/metrics';
import type { Tracer } from '@opentelemetry/api';
import { graphqlSpans, httpSpans } from '../observability/tracing';
import type { CustomerConfig } from '../customers';
import { accountRoutes, AccountPages } from './account/account.routes';
import { AccountSessionStore } from './account/account-session.store';
import { AccountSignIn } from './account/account-sign-in';

export interface HttpDeps {
  config: Config;
  db: Database;
  schema: GraphQLSchema;
  /**
   * The listening server whose connections this region's Apollo drains on stop: the front server
   * for the home region, null for the other regions of a multi-region deployment (the front server
   * is drained once, by the home region's Apollo).
   */
  drain: Server | null;
  /** `/graphql` (graphql/http.ts), built once for every region; needs this region's Apollo, hence given this. */
  graphql: (apollo: ApolloServer<GraphqlContext>) => RequestHandler;
  /** Which region's services answer an OAuth client (http/oauth.routes.ts). */
  oauthRegionOf: OAuthRegionOf;
  readiness: readonly ReadinessCheck[];
  provider: OpenIdProviderService;
  discovery: DiscoveryService;
  identityFlow: IdentityFlowService;
  exports: ExportService;
  /** The OpenID Connect end-session endpoint (RP-initiated logout). */
  oidcLogout: OidcLogoutService;
  /** This region's OpenID Connect token, revocation, introspection and UserInfo endpoints. */
  oidcTokens: OidcTokenService;
  log: Logger;
  abuse: AbuseGuard;
  /** `/admin`: the queue board and its sign-in (admin/admin.routes.ts), on the home region only; null elsewhere. */
  admin?: RequestHandler | null;
  /** `/dashboard`: the operators' dashboard, its sign-in and GraphQL by session (dashboard/dashboard.routes.ts), on the home region only; null elsewhere. */
  dashboard?: RequestHandler | null;
  /** The OpenID Connect provider's authorization endpoint, its keys and the customers it serves (issue 19). */
  oidc: Omit<OidcRoutesDeps, 'isSecureRequest' | 'publicUrl' | 'loginFlow'>;
  /** This region's metrics: the HTTP middleware (and GET /metrics), the GraphQL plugin, the login and token counters. */
  metrics: RegionMetrics;
  /** With tracing on: a span per request and per GraphQL operation. Null: nothing is added. */
  tracer: Tracer | null;
  /** The privacy center (`/c/{slug}/account`, issue 22) of this region. */
  account: AccountHttpDeps;
}

/** What the privacy center's routes need beyond the config: its sessions (the home region's Redis), this region's customers, its pages. */
export interface AccountHttpDeps {
  sessions: AccountSessionStore;
  region: string;
  customers: { bySlug(slug: string): Promise<CustomerConfig | null> };
  /** The center's pages and forms, given the guard (http/account/account.routes.ts); absent, a placeholder page. */
  pages?: AccountPages;
}

export interface HttpServer {
  app: Express;
  apollo: ApolloServer<GraphqlContext>;
}

/** Assembles the HTTP transport: health, the OpenID and login-flow routes, OAuth, and GraphQL. */
export async function createHttpServer(deps: HttpDeps): Promise<HttpServer> {
  const app = express();
  app.disable('x-powered-by');
  // Only X-Forwarded-Proto is honoured, and only when configured (see openid.routes.ts).
  app.set('trust proxy', false);
  const apollo = new ApolloServer<GraphqlContext>({
    schema: deps.schema,
    formatError: makeFormatError(deps.log),
    includeStacktraceInErrorResponses: false,
    introspection: deps.config.NODE_ENV !== 'production',
    // Checked before anything runs: an operation over a limit is refused whole, with nothing executed.
    validationRules: inputLimitRules({
      maxDepth: deps.config.GRAPHQL_MAX_DEPTH,
      maxAliases: deps.config.GRAPHQL_MAX_ALIASES,
      maxComplexity: deps.config.GRAPHQL_MAX_COMPLEXITY,
    }),
    // No cache hints are used: the cache-control plugin would only wrap every field resolver for nothing.
    plugins: [
      ...(deps.drain ? [ApolloServerPluginDrainHttpServer({ httpServer: deps.drain })] : []),
      ApolloServerPluginCacheControlDisabled(),
      textInputGuard(),
      deps.metrics.graphql,
      ...(deps.tracer ? [graphqlSpans(deps.tracer)] : []),
    ],
    // "Did you mean …" suggestions would describe the schema to whoever probes it, as introspection would.
    hideSchemaDetailsFromClientErrors: deps.config.NODE_ENV === 'production',
    // main.ts owns the signals and stops everything in order; Apollo's own handler would stop only itself.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  const { config, abuse } = deps;
  // First, so the request's span covers (and is the parent of) everything below.
  if (deps.tracer) app.use(httpSpans(deps.tracer));
  app.use(requestId(deps.log));
  app.use(deps.metrics.http);
  app.use(securityHeaders((req) => isSecureRequest(req, config.TRUST_PROXY, config.PUBLIC_URL)));
  app.use(urlLengthLimit(config.HTTP_MAX_URL_LENGTH));
  app.use(healthRoutes(deps.readiness));
  if (deps.admin) app.use('/admin', deps.admin);
  if (deps.dashboard) app.use('/dashboard', deps.dashboard);
  app.use('/c/:slug/openid', abuse.limit('openid', config.RATE_LIMIT_OPENID_PER_ADDRESS));
  // Each authorization request may write a request row, as a checkid does: the same limit, counted apart.
  app.use('/c/:slug/oidc/authorize', abuse.limit('oidc_authorize', config.RATE_LIMIT_OPENID_PER_ADDRESS));
  app.post('/c/:slug/ows_consent', abuse.limit('consent', config.RATE_LIMIT_CONSENT_PER_ADDRESS));
  const isSecure = (req: express.Request) => isSecureRequest(req, config.TRUST_PROXY, config.PUBLIC_URL);
  const accountSignIn = new AccountSignIn({
    flow: deps.identityFlow,
    customers: deps.account.customers,
    sessions: deps.account.sessions,
    region: deps.account.region,
    abuse,
    signInPerAddress: config.RATE_LIMIT_ACCOUNT_SIGN_IN_PER_ADDRESS,
    signInPerProfile: config.RATE_LIMIT_ACCOUNT_SIGN_IN_PER_PROFILE,
    sessionMaxSeconds: config.ACCOUNT_SESSION_MAX_SECONDS,
    isSecureRequest: isSecure,
    loginFlow: deps.metrics.loginFlow,
  });
  // The login routes below make one statement per step (login-steps.repository.ts); the others run their work in one transaction of its own scope (src/db/scope.ts), in a fresh identity map.
  app.use(
    identityFlowRoutes(deps.identityFlow, deps.provider, deps.oidc.authorization, {
      guard: abuse,
      perAddress: config.RATE_LIMIT_POSTBACK_PER_ADDRESS,
      perApiKey: config.RATE_LIMIT_POSTBACK_PER_API_KEY,
    }, deps.metrics.loginFlow, accountSignIn),
  );
  app.use(
    accountRoutes({
      signIn: accountSignIn,
      sessions: deps.account.sessions,
      customers: deps.account.customers,
      secretKeys: config.SECRET_KEYS,
      publicUrl: config.PUBLIC_URL,
      region: deps.account.region,
      isSecureRequest: isSecure,
      ...(deps.account.pages ? { pages: deps.account.pages } : {}),
    }),
  );
  app.use(oidcRoutes({ ...deps.oidc, loginFlow: deps.metrics.loginFlow, publicUrl: config.PUBLIC_URL, isSecureRequest: (req) => isSecureRequest(req, config.TRUST_PROXY, config.PUBLIC_URL) }));
  app.use(oauthRoutes(deps.oauthRegionOf, { guard: abuse, tokenPerClient: config.RATE_LIMIT_TOKEN_PER_CLIENT, grants: deps.metrics.tokenGrants }));
  app.use(oidcTokenRoutes({ service: deps.oidcTokens, db: deps.db, guard: abuse, tokenPerClient: config.RATE_LIMIT_TOKEN_PER_CLIENT, grants: deps.metrics.tokenGrants }));
  app.use(exportRoutes(deps.exports, deps.db));
  app.use(
    oidcLogoutRoutes({ logout: deps.oidcLogout, db: deps.db, secretKeys: config.SECRET_KEYS, isSecureRequest: (req) => isSecureRequest(req, config.TRUST_PROXY, config.PUBLIC_URL) }),
  );
  app.use(
    openidRoutes({
      provider: deps.provider,
      discovery: deps.discovery,
      trustProxy: config.TRUST_PROXY,
      isSecureRequest: (req) => isSecureRequest(req, config.TRUST_PROXY, config.PUBLIC_URL),
      guard: abuse,
      associatePerAddress: config.RATE_LIMIT_ASSOCIATE_PER_ADDRESS,
      discoveryPerAddress: config.RATE_LIMIT_RP_DISCOVERY_PER_ADDRESS,
      loginFlow: deps.metrics.loginFlow,
    }),
  );
  app.use(
    '/graphql',
    abuse.limit('graphql', config.RATE_LIMIT_GRAPHQL_PER_TOKEN, (req) => {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      return bearer ? `token:${digestOf(bearer)}` : `address:${abuse.address(req)}`;
    }),
    express.json({ limit: '100kb' }),
    deps.graphql(apollo),
  );
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('error: not_found\n');
  });
  app.use(errorHandler(deps.log));
  return { app, apollo };
}

function requestId(log: Logger): RequestHandler {
  return (req, res, next) => {
    const id = randomUUID();
    res.locals.requestId = id;
    // The request's own logger is made only when something logs (the login path logs nothing per request).
    let child: Logger | undefined;
    Object.defineProperty(res.locals, 'log', { get: () => (child ??= log.child({ requestId: id })), enumerable: true, configurable: true });
    res.setHeader('X-Request-Id', id);
    next();
  };
}

/** Last resort for HTTP errors outside GraphQL: a status and a plain-text reason, never a stack. */
function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: { status?: number; type?: string }, _req, res, _next) => {
    if (isDatabaseUnavailable(err)) {
      log.warn({ err: (err as Error).message, requestId: res.locals.requestId }, 'database unavailable');
      res.set('Retry-After', '5');
      res.status(503).type('text/plain').send(`error: service_unavailable\nrequest_id: ${String(res.locals.requestId)}\n`);
      return;
    }
    const status = typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log.error({ err, requestId: res.locals.requestId }, 'unhandled HTTP error');
    const reason = status === 413 ? 'too_large' : status === 400 ? 'bad_request' : status === 500 ? 'internal_error' : 'request_failed';
    res.status(status).type('text/plain').send(`error: ${reason}\nrequest_id: ${String(res.locals.requestId)}\n`);
  };
}

/** Node socket codes and PostgreSQL SQLSTATEs (class 08, 57P0x) that mean "the database is not there right now". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

/** Whether an error means PostgreSQL is unreachable (answered 503, retryable) rather than a bug (500). */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { name?: string; code?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e.name === 'KnexTimeoutError' || (e.code && UNAVAILABLE_CODES.has(e.code))) return true;
    if (/Connection terminated|Connection ended unexpectedly|timeout expired|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error/i.test(e.message ?? '')) return true;
  }
  return false;
}
