import { randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import express, { ErrorRequestHandler, Express, RequestHandler } from 'express';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { GraphQLSchema } from 'graphql';
import { MikroORM } from '@mikro-orm/postgresql';
import { RequestContext } from '@mikro-orm/core';
import { Config } from '../config';
import { Logger } from '../shared/logger';
import { authenticate, GraphqlContext, OperatorTokenVerifier } from '../graphql/context';
import { makeFormatError } from '../graphql/format-error';
import { Loaders } from '../graphql/batch-loader';
import { inputLimitRules } from '../graphql/input-limits';
import { healthRoutes, ReadinessCheck } from './health.routes';
import { openidRoutes } from './openid.routes';
import { DiscoveryService, OpenIdProviderService } from '../openid-provider';
import { IdentityFlowService, identityFlowRoutes } from '../identity-flow';
import { OAuthLoginCodeService, OAuthTokenService, oauthRoutes } from '../oauth';

export interface HttpDeps {
  config: Config;
  orm: MikroORM;
  schema: GraphQLSchema;
  readiness: readonly ReadinessCheck[];
  provider: OpenIdProviderService;
  discovery: DiscoveryService;
  identityFlow: IdentityFlowService;
  oauthTokens: OAuthTokenService;
  operatorTokens: OperatorTokenVerifier;
  oauthLoginCodes: OAuthLoginCodeService;
  log: Logger;
}

export interface HttpServer {
  app: Express;
  server: Server;
  apollo: ApolloServer<GraphqlContext>;
}

/** Assembles the HTTP transport: health, GraphQL, and one ORM context per request. */
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
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer: server })],
    // main.ts owns the signals and stops everything in order; Apollo's own handler would stop only itself.
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  app.use(requestId(deps.log));
  app.use(healthRoutes(deps.readiness));
  // Every request after this point works in its own identity map.
  app.use((_req, _res, next) => RequestContext.create(deps.orm.em, next));
  app.use(identityFlowRoutes(deps.identityFlow));
  app.use(oauthRoutes(deps.oauthTokens, deps.oauthLoginCodes));
  app.use(openidRoutes({ provider: deps.provider, discovery: deps.discovery, trustProxy: deps.config.TRUST_PROXY }));
  app.use(
    '/graphql',
    express.json({ limit: '100kb' }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => ({
        principal: await authenticate(req.headers.authorization, deps.config.ADMIN_TOKEN, deps.oauthTokens, deps.operatorTokens),
        requestId: String(res.locals.requestId),
        log: res.locals.log as Logger,
        loaders: new Loaders(),
      }),
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
