import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RequestHandler } from 'express';
import { AdminSessionStore } from '../admin';
import { Config, plainKeyPrefix } from '../config';
import { dashboardRoutes } from '../dashboard/dashboard.routes';
import type { GraphqlHttpDeps } from '../graphql/http';
import { sessionGraphqlHandler } from '../graphql/session-http';
import { AbuseGuard } from '../http/abuse';
import { isSecureRequest } from '../http/hygiene';
import { RegionCell } from './open-region-cell';

/**
 * The operators' dashboard (`/dashboard`, dashboard/dashboard.routes.ts) of the API role, served once
 * by the home region: sessions in the home region's Redis (beside the queue board's, under a prefix
 * of their own), tokens checked and sign-ins audited in the region that knows the token, GraphQL run
 * as `/graphql` runs it (`graphql`, the same regions and routing), sign-in counted by the home
 * region's abuse guard, and the built app from DASHBOARD_DIST_DIR.
 */
export function dashboard(config: Config, cells: readonly RegionCell[], abuse: AbuseGuard, graphql: GraphqlHttpDeps): RequestHandler {
  const home = cells[0]!;
  return dashboardRoutes({
    regions: cells.map((cell) => ({ region: cell.region, db: cell.db, operatorTokens: cell.services.operatorTokens, audit: cell.services.audit })),
    sessions: new AdminSessionStore(home.redis, `${plainKeyPrefix(home.config.QUEUE_PREFIX)}:dashboard-session:`),
    secretKeys: config.SECRET_KEYS,
    publicUrl: config.PUBLIC_URL,
    sessionTtlSeconds: config.DASHBOARD_SESSION_TTL_SECONDS,
    signInPerAddress: config.RATE_LIMIT_DASHBOARD_SIGN_IN_PER_ADDRESS,
    graphqlPerToken: config.RATE_LIMIT_GRAPHQL_PER_TOKEN,
    abuse,
    isSecureRequest: (req) => isSecureRequest(req, config.TRUST_PROXY, config.PUBLIC_URL),
    graphql: (session) => sessionGraphqlHandler(graphql, session),
    distDir: config.DASHBOARD_DIST_DIR === undefined ? defaultDistDir() : resolve(config.DASHBOARD_DIST_DIR),
  });
}

/**
 * clients/dashboard/dist of the installation: the nearest directory above this file with a
 * package.json (the repository from src/ or dist/src/, /app in the image).
 */
export function defaultDistDir(from: string = __dirname): string {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'clients', 'dashboard', 'dist');
  }
  return resolve(from, '..', '..', 'clients', 'dashboard', 'dist');
}
