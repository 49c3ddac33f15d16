import { createHash } from 'node:crypto';
import { RequestHandler } from 'express';
import { LRUCache } from 'lru-cache';
import { HTTPGraphQLResponse } from '@apollo/server';
import { NOBODY } from '../db/scope';
import { ADMIN, authenticate, isAdminToken, Principal, tenantOf } from './context';
import { runAs, SYSTEM_ACTOR } from '../audit/actor';
import { GraphqlHttpDeps, prepareOperation, sendGraphqlResponse } from './operation-runner';

export { actorOf, CUSTOMER_HEADER, REGION_HEADER, type RoutingHints } from './operation-runner';
export type { GraphqlHttpDeps, GraphqlRegion, PlatformRoutingError } from './operation-runner';

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
 * wrap execution.) The dashboard's `/dashboard/api/graphql` runs operations the same way for a
 * session instead of a bearer token (session-http.ts).
 */
export function graphqlHandler(deps: GraphqlHttpDeps): RequestHandler {
  // Which region last knew a token (by its digest: no token is kept), tried first next time, so a
  // token of the third region costs one lookup, not three. A token that moved is found by the others.
  const knownIn = new LRUCache<string, string>({ max: TOKEN_REGIONS_REMEMBERED });
  return async (req, res) => {
    const { requestId, runOperation, asPlatform } = prepareOperation(deps, req, res);
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
            return isLast ? { response: await runOperation(region, { refused }) } : null;
          }
          if (tokenDigest !== null && deps.regions.length > 1) knownIn.set(tokenDigest, region.region);
          // Platform-wide callers leave this transaction (it saw nothing) for one on the platform pool.
          if (tenantOf(principal).kind === 'platform') return { platform: principal };
          return { response: await runOperation(region, { principal }) };
        });
        if (found === null) continue;
        if ('response' in found) return found.response;
        return asPlatform(found.platform);
      }
      throw new Error('no region is served');
    });
    await sendGraphqlResponse(res, response, requestId);
  };
}

/** Tokens whose region each instance remembers, least recently used dropped first. */
const TOKEN_REGIONS_REMEMBERED = 10_000;
