import { RequestHandler } from 'express';
import { ApolloServer, HeaderMap, HTTPGraphQLRequest } from '@apollo/server';
import { Database, lookupScope, scopeOfTenant } from '../db/scope';
import { Secret } from '../config';
import { Logger } from '../shared/logger';
import { AccessTokenVerifier, authenticate, GraphqlContext, OperatorTokenVerifier, Principal, tenantOf } from './context';
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
 * `/graphql`: one operation, one transaction. The bearer token is looked up first (the lookup
 * path of db/scope.ts), then the transaction is narrowed to what the caller may see (its customer,
 * or every customer for the platform operator, which is logged), and only then does anything
 * resolve. The response is written after the commit, so a client never sees a mutation's result
 * before it is durable. (Replaces @as-integrations/express5, which cannot wrap execution.)
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
    const response = await runAs(SYSTEM_ACTOR, () =>
      deps.db.run(lookupScope('graphql bearer token'), () =>
        deps.apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest,
          context: async (): Promise<GraphqlContext> => {
            const principal = await authenticate(req.headers.authorization, deps.adminToken, deps.accessTokens, deps.operatorTokens);
            await deps.db.narrow(scopeOfTenant(tenantOf(principal), `graphql operation by ${describePrincipal(principal)}`));
            identifyActor(actorOf(principal));
            return { principal, requestId, log, loaders: new Loaders() };
          },
        }),
      ),
    );
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
