import { RequestHandler } from 'express';
import { ApolloServer, HeaderMap, HTTPGraphQLRequest, HTTPGraphQLResponse } from '@apollo/server';
import { Database, NOBODY, platformScope } from '../db/scope';
import { Secret } from '../config';
import { Logger } from '../shared/logger';
import { AccessTokenVerifier, ADMIN, authenticate, GraphqlContext, isAdminToken, OperatorTokenVerifier, Principal, tenantOf } from './context';
import { Loaders } from './batch-loader';
import { Actor, ActorKind, identifyActor, runAs, SYSTEM_ACTOR } from '../audit/actor';

export interface GraphqlHttpDeps {
  apollo: ApolloServer<GraphqlContext>;
  db: Database;
  adminToken: Secret;
  accessTokens: AccessTokenVerifier;
  operatorTokens: OperatorTokenVerifier;
}

/**
 * `/graphql`: one operation, one transaction. The bearer token is checked first, in a transaction
 * on the service's pool that sees nobody's rows: finding an OAuth token or a customer-bound operator
 * token enters its customer (one statement, see db/scope.ts), and the operation resolves in that
 * same transaction. The platform operator (ADMIN_TOKEN, a platform-wide operator token) is moved to
 * a transaction on the platform pool instead, which is logged. The response is written after the
 * commit, so a client never sees a mutation's result before it is durable. (Replaces
 * @as-integrations/express5, which cannot wrap execution.)
 */
export function graphqlHandler(deps: GraphqlHttpDeps): RequestHandler {
  return async (req, res) => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: req.method.toUpperCase(),
      headers,
      search: new URL(req.url, 'http://localhost').search,
      body: req.body as unknown,
    };
    const requestId = String(res.locals.requestId);
    const log = res.locals.log as Logger;
    // A refused bearer token is thrown from the context, where Apollo turns it into its answer (401).
    const execute = (caller: { principal: Principal } | { refused: unknown }) =>
      deps.apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest,
        context: async (): Promise<GraphqlContext> => {
          if ('refused' in caller) throw caller.refused;
          identifyActor(actorOf(caller.principal));
          return { principal: caller.principal, requestId, log, loaders: new Loaders() };
        },
      });
    const response = await runAs(SYSTEM_ACTOR, async () => {
      const authorization = req.headers.authorization;
      // The bootstrap ADMIN_TOKEN needs no lookup: straight to the platform pool.
      if (isAdminToken(authorization, deps.adminToken)) return deps.db.run(platformScope(`graphql operation by ${describePrincipal(ADMIN)}`), () => execute({ principal: ADMIN }));
      const customerSide = await deps.db.run(NOBODY, async (): Promise<{ response: HTTPGraphQLResponse } | { platform: Principal }> => {
        let principal: Principal;
        try {
          principal = await authenticate(authorization, deps.adminToken, deps.accessTokens, deps.operatorTokens);
        } catch (refused) {
          return { response: await execute({ refused }) };
        }
        // Platform-wide callers leave this transaction (it saw nothing) for one on the platform pool.
        if (tenantOf(principal).kind === 'platform') return { platform: principal };
        return { response: await execute({ principal }) };
      });
      if ('response' in customerSide) return customerSide.response;
      const principal = customerSide.platform;
      return deps.db.run(platformScope(`graphql operation by ${describePrincipal(principal)}`), () => execute({ principal }));
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.send(withRequestId(response.body.string, requestId));
      return;
    }
    // Incremental delivery is not enabled in our schema; should it ever be, stream what remains.
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

/**
 * Puts the request id (also in X-Request-Id and every log line of the request) into the top-level
 * `extensions` of a response with errors, so whoever reports a failure can quote it.
 */
function withRequestId(body: string, requestId: string): string {
  if (!body.includes('"errors"')) return body;
  try {
    const parsed = JSON.parse(body) as { errors?: unknown; extensions?: Record<string, unknown> };
    if (!Array.isArray(parsed.errors)) return body;
    return JSON.stringify({ ...parsed, extensions: { ...parsed.extensions, requestId } }) + '\n';
  } catch {
    return body;
  }
}

/** How the audit trail names a caller: never by a secret, only by ids. */
export function actorOf(principal: Principal): Actor {
  switch (principal.kind) {
    case 'operator':
      return { kind: ActorKind.OPERATOR, id: 'bootstrap-admin' };
    case 'operator-token':
      return { kind: ActorKind.OPERATOR, id: principal.id };
    case 'client':
      return { kind: ActorKind.CLIENT, id: principal.clientId };
  }
}

function describePrincipal(principal: Principal): string {
  switch (principal.kind) {
    case 'operator':
      return 'the bootstrap ADMIN_TOKEN';
    case 'operator-token':
      return `operator token ${principal.id} (${principal.name})`;
    case 'client':
      return `client ${principal.clientId}`;
  }
}
