import { LRUCache } from 'lru-cache';
import { GraphqlRegion, PlatformRoutingError, RoutingHints } from '../graphql/http';
import { operationTargets } from '../graphql/platform-region';
import { OAuthRegion, OAuthRegionOf } from '../http/oauth.routes';
import { holdsOAuthClient, RegionDirectory } from '../regions';
import { RegionCell } from './open-region-cell';

/**
 * Picks the region a platform caller's GraphQL operation runs in (issue 18): the region of the
 * customers it names (in the operation, or by the `Ids-Customer` header), the region `createCustomer`
 * asks for, else the region named by the `Ids-Region` header, else the home region (where platform data lives, and whose platform-wide
 * views fan out to every region). An operation naming customers of two regions is refused: it would
 * need one transaction across two databases.
 */
export function platformRegionOf(regions: readonly GraphqlRegion[], directory: RegionDirectory) {
  return async (body: unknown, hints: RoutingHints): Promise<GraphqlRegion | PlatformRoutingError> => {
    const home = regions[0]!;
    if (regions.length === 1) return home;
    const targets = operationTargets(body);
    const named = new Set<string>(targets.regions.map((r) => r.toUpperCase()));
    const hinted = hints.customerId?.trim();
    for (const id of hinted ? [...targets.customerIds, hinted] : targets.customerIds) {
      const entry = await directory.byId(id);
      if (entry) named.add(entry.region);
    }
    for (const slug of targets.slugs) {
      const entry = await directory.bySlug(slug);
      if (entry) named.add(entry.region);
    }
    if (named.size > 1) {
      return { code: 'CROSS_REGION_OPERATION', message: `this operation names customers of several regions (${[...named].join(', ')}); send one operation per region` };
    }
    const wanted = named.size === 1 ? [...named][0]! : hints.region?.trim().toUpperCase();
    if (wanted === undefined || wanted === '') return home;
    const region = regions.find((r) => r.region === wanted);
    if (!region) {
      return { code: 'REGION_NOT_SERVED', message: `region ${wanted} is not served by this deployment (it serves ${regions.map((r) => r.region).join(', ')})` };
    }
    return region;
  };
}

/** Clients remembered at most, and for how long, with the region holding them. */
const CLIENT_CACHE_ENTRIES = 10_000;
const CLIENT_CACHE_MS = 60_000;

/**
 * The region whose database holds an OAuth client, for the token, revocation and introspection
 * endpoints: looked up in each region (home first) and remembered; a region move drops what is
 * remembered (every directory change does). An unknown client goes to the home region, which
 * refuses it as today.
 */
export function oauthRegionOf(cells: readonly RegionCell[], directory: RegionDirectory): OAuthRegionOf {
  const asRegion = (cell: RegionCell): OAuthRegion => ({ tokens: cell.services.oauthTokens, loginCodes: cell.services.oauthLoginCodes, db: cell.db });
  const home = asRegion(cells[0]!);
  if (cells.length === 1) return async () => home;
  const cache = new LRUCache<string, RegionCell>({ max: CLIENT_CACHE_ENTRIES, ttl: CLIENT_CACHE_MS });
  directory.onChange(() => cache.clear());
  return async (clientId) => {
    if (!clientId) return home;
    const cached = cache.get(clientId);
    if (cached) return asRegion(cached);
    for (const cell of cells) {
      if (await holdsOAuthClient(cell.platformPool, clientId)) {
        cache.set(clientId, cell);
        return asRegion(cell);
      }
    }
    return home;
  };
}
