import { createHash } from 'node:crypto';
import { RequestHandler } from 'express';
import { LRUCache } from 'lru-cache';
import { ApolloServer, HeaderMap, HTTPGraphQLRequest, HTTPGraphQLResponse } from '@apollo/server';
import { Database, NOBODY, platformScope } from '../db/scope';
import { Secret } from '../config';
import { Logger } from '../shared/logger';
import { AccessTokenVerifier, ADMIN, authenticate, GraphqlContext, isAdminToken, OperatorTokenVerifier, Principal, tenantOf } from './context';
import { Loaders } from './batch-loader';
import { Actor, ActorKind, identifyActor, runAs, SYSTEM_ACTOR } from '../audit/actor';

/** One region's GraphQL: its Apollo server (its own services and schema), its database and token lookups. */
export interface GraphqlRegion {
  region: string;
  apollo: ApolloServer<GraphqlContext>;
  db: Database;
  accessTokens: AccessTokenVerifier;
  operatorTokens: OperatorTokenVerifier;
}

export interface GraphqlHttpDeps {
  adminToken: Secret;
  /** Every region served, home region first; filled in as each region's Apollo starts. */
  regions: readonly GraphqlRegion[];
  /** The region a platform caller's operation runs in (platform-region.ts), or why it cannot run. */
  platformRegion(body: unknown, requested: string | undefined): Promise<GraphqlRegion | PlatformRoutingError>;
}

/** A platform operation that cannot run in one region (it names customers of several). */
export interface PlatformRoutingError {
  code: string;
  message: string;
}

/**
 * `/graphql`: one operation, one transaction, in one region (issue 18). The bearer token is checked
 * first, in a transaction on the service's pool that sees nobody's rows: finding an OAuth token or a
 * customer-bound operator token enters its customer (one statement, see db/scope.ts), and the
 * operation resolves in that same transaction. With several regions, the token is looked up in each
 * in turn (home first) and the operation runs in the region that knows it: a customer-bound caller
 * never reaches another region. The platform operator (ADMIN_TOKEN, a platform-wide operator token)
 * is moved to a transaction on the platform pool of the region its operation names
 * (`platformRegion`), which is logged. The response is written after the commit, so a client never
 * sees a mutation's result before it is durable. (Replaces @as-integrations/express5, which cannot
 * wrap execution.)
 */
export function graphqlHandler(deps: GraphqlHttpDeps): RequestHandler {
  // Which region last knew a token (by its digest: no token is kept), tried first next time, so a
  // token of the third region costs one lookup, not three. A token that moved is found by the others.
  const knownIn = new LRUCache<string, string>({ max: TOKEN_REGIONS_REMEMBERED });
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
    const execute = (region: GraphqlRegion, caller: { principal: Principal } | { refused: unknown }) =>
      region.apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest,
        context: async (): Promise<GraphqlContext> => {
          if ('refused' in caller) throw caller.refused;
          identifyActor(actorOf(caller.principal));
          return { principal: caller.principal, requestId, log, loaders: new Loaders() };
        },
      });
    const asPlatform = async (principal: Principal): Promise<HTTPGraphQLResponse> => {
      const requested = headers.get(REGION_HEADER);
      const region = await deps.platformRegion(req.body, requested);
      if (!('apollo' in region)) return routingError(region, requestId);
      return region.db.run(platformScope(`graphql operation by ${describePrincipal(principal)} in ${region.region}`), () => execute(region, { principal }));
    };
    const response = await runAs(SYSTEM_ACTOR, async () => {
      const authorization = req.headers.authorization;
      // The bootstrap ADMIN_TOKEN needs no lookup: straight to the platform pool.
      if (isAdminToken(authorization, deps.adminToken)) return asPlatform(ADMIN);
      const tokenDigest = authorization ? createHash('sha256').update(authorization).digest('base64url') : null;
      const hint = tokenDigest === null ? undefined : knownIn.get(tokenDigest);
      const regions = hint === undefined ? deps.regions : [...deps.regions].sort((a, b) => Number(b.region === hint) - Number(a.region === hint));
      for (const [at, region] of regions.entries()) {
        const isLast = at === regions.length - 1 || !authorization;
        const found = await region.db.run(NOBODY, async (): Promise<{ response: HTTPGraphQLResponse } | { platform: Principal } | null> => {
          let principal: Principal;
          try {
            principal = await authenticate(authorization, deps.adminToken, region.accessTokens, region.operatorTokens);
          } catch (refused) {
            // Unknown here: perhaps another region's token. Refused only once no region knows it.
            return isLast ? { response: await execute(region, { refused }) } : null;
          }
          if (tokenDigest !== null && deps.regions.length > 1) knownIn.set(tokenDigest, region.region);
          // Platform-wide callers leave this transaction (it saw nothing) for one on the platform pool.
          if (tenantOf(principal).kind === 'platform') return { platform: principal };
          return { response: await execute(region, { principal }) };
        });
        if (found === null) continue;
        if ('response' in found) return found.response;
        return asPlatform(found.platform);
      }
      throw new Error('no region is served');
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

/** Tokens whose region each instance remembers, least recently used dropped first. */
const TOKEN_REGIONS_REMEMBERED = 10_000;

/** The header a platform caller names a region with, for an operation that names no customer (`Ids-Region: NA`). */
export const REGION_HEADER = 'ids-region';

/** A platform operation refused before it ran (400, a GraphQL error with its code). */
function routingError(error: PlatformRoutingError, requestId: string): HTTPGraphQLResponse {
  const headers = new HeaderMap([['content-type', 'application/json; charset=utf-8']]);
  const body = JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code } }], extensions: { requestId } }) + '\n';
  return { status: 400, headers, body: { kind: 'complete', string: body } };
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
