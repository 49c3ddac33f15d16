import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import express, { ErrorRequestHandler, Express, RequestHandler } from 'express';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLSchema } from 'graphql';
import { Database } from '../db/scope';
import { Config } from '../config';
import { Logger } from '../shared/logger';
import { GraphqlContext, OperatorTokenVerifier } from '../graphql/context';
import { graphqlHandler } from '../graphql/http';
import { makeFormatError } from '../graphql/format-error';
import { inputLimitRules } from '../graphql/input-limits';
import { healthRoutes, ReadinessCheck } from './health.routes';
import { openidRoutes } from './openid.routes';
import { DiscoveryService, OpenIdProviderService } from '../openid-provider';
import { IdentityFlowService, identityFlowRoutes } from '../identity-flow';
import { OAuthLoginCodeService, OAuthTokenService, oauthRoutes } from '../oauth';
import { ExportService, exportRoutes } from '../exports';

export interface HttpDeps {
  config: Config;
  db: Database;
  schema: GraphQLSchema;
  readiness: readonly ReadinessCheck[];
  provider: OpenIdProviderService;
  discovery: DiscoveryService;
  identityFlow: IdentityFlowService;
  oauthTokens: OAuthTokenService;
  operatorTokens: OperatorTokenVerifier;
  oauthLoginCodes: OAuthLoginCodeService;
  exports: ExportService;
  log: Logger;
}

export interface HttpServer {
  app: Express;
  server: Server;
  apollo: ApolloServer<GraphqlContext>;
}

/** Assembles the HTTP transport: health, the OpenID and login-flow routes, OAuth, and GraphQL. */
export async function createHttpServer(deps: HttpDeps): Promise<HttpServer> {
  const app = express();
  app.disable('x-powered-by');
  // Only X-Forwarded-Proto is honoured, and only when configured (see openid.routes.ts).
  app.set('trust proxy', false);
  const server = createServer(app);

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
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer: server }), ApolloServerPluginCacheControlDisabled()],
    // main.ts owns the signals and stops everything in order; Apollo's own handler would stop only itself.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  app.use(requestId(deps.log));
  app.use(healthRoutes(deps.readiness));
  // Each route below runs its work in one transaction of its own scope (src/db/scope.ts), in a fresh identity map.
  app.use(identityFlowRoutes(deps.identityFlow, deps.db));
  app.use(oauthRoutes(deps.oauthTokens, deps.oauthLoginCodes, deps.db));
  app.use(exportRoutes(deps.exports, deps.db));
  app.use(openidRoutes({ provider: deps.provider, discovery: deps.discovery, trustProxy: deps.config.TRUST_PROXY, db: deps.db }));
  app.use(
    '/graphql',
    express.json({ limit: '100kb' }),
    graphqlHandler({
      apollo,
      db: deps.db,
      adminToken: deps.config.ADMIN_TOKEN,
      accessTokens: deps.oauthTokens,
      operatorTokens: deps.operatorTokens,
    }),
  );
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('error: not_found\n');
  });
  app.use(errorHandler(deps.log));
  return { app, server, apollo };
}

function requestId(log: Logger): RequestHandler {
  return (req, res, next) => {
    const id = randomUUID();
    res.locals.requestId = id;
    res.locals.log = log.child({ requestId: id });
    res.set('X-Request-Id', id);
    next();
  };
}

/** Last resort for HTTP errors outside GraphQL: a status and a plain-text reason, never a stack. */
function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: { status?: number; type?: string }, _req, res, _next) => {
    const status = typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log.error({ err, requestId: res.locals.requestId }, 'unhandled HTTP error');
    const reason = status === 413 ? 'too_large' : status === 400 ? 'bad_request' : status === 500 ? 'internal_error' : 'request_failed';
    res.status(status).type('text/plain').send(`error: ${reason}\nrequest_id: ${String(res.locals.requestId)}\n`);
  };
}
