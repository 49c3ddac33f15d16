import { IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from '../shared/logger';

/** Where a customer's requests go, as the customer directory says (regions/region-directory.ts). */
export interface RouteEntry {
  region: string;
  status: 'ACTIVE' | 'MOVING';
}

export interface RegionRouterDeps {
  /** The home region's handler: everything that names no customer by path (GraphQL, OAuth, health) and unknown slugs. */
  home: (req: IncomingMessage, res: ServerResponse) => void;
  /** Every served region's handler, by region. */
  regions: ReadonlyMap<string, (req: IncomingMessage, res: ServerResponse) => void>;
  locate(slug: string): Promise<RouteEntry | null>;
  log: Logger;
}

/** How long a client should wait before retrying a customer whose data is being moved. */
const MOVING_RETRY_SECONDS = 30;

/**
 * The front of a multi-region deployment (issue 18): a request under `/c/{slug}/` goes to the region
 * holding that customer's data, by the directory; everything else to the home region, whose GraphQL
 * and OAuth endpoints pick the region from the token or client (graphql/http.ts, oauth.routes.ts).
 * A customer whose data is being moved is answered 503 with Retry-After until the move switches; a
 * customer of a region this deployment does not serve, 421 naming the region. A one-region
 * deployment is its region's handler alone.
 */
export function regionRouter(deps: RegionRouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  if (deps.regions.size === 1) return deps.home;
  return (req, res) => {
    const slug = slugOf(req.url ?? '/');
    if (slug === null) return deps.home(req, res);
    deps.locate(slug).then(
      (entry) => {
        if (entry === null) return deps.home(req, res);
        if (entry.status === 'MOVING') return plain(res, 503, 'customer_moving', `this customer's data is being moved between regions; retry in ${MOVING_RETRY_SECONDS} seconds`, { 'Retry-After': String(MOVING_RETRY_SECONDS) });
        const handler = deps.regions.get(entry.region);
        if (!handler) return plain(res, 421, 'wrong_region', `this customer's data is stored in region ${entry.region}, which this deployment does not serve; use that region's address`);
        return handler(req, res);
      },
      (err: unknown) => {
        deps.log.error({ err }, 'customer directory unavailable');
        plain(res, 503, 'directory_unavailable', 'the customer directory cannot be reached; retry shortly', { 'Retry-After': '5' });
      },
    );
  };
}

/** The slug of a `/c/{slug}/…` path, or null. */
function slugOf(url: string): string | null {
  const match = /^\/c\/([^/?#]+)/.exec(url);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
}

function plain(res: ServerResponse, status: number, code: string, sentence: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(`error: ${code}\n${sentence}\n`);
}
