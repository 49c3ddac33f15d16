/**
 * Label values, bounded (issue 20). Every value a series carries comes from a fixed set chosen here:
 * never a raw path, a client's grant type or operation name, a username or a customer's text, so
 * neither personal data nor an attacker's inputs reach the scrape, and the number of series stays fixed.
 */

/** Requests that matched no route (404s, and requests refused by a limit in front of every route). */
export const UNMATCHED = 'unmatched';
/** Any value outside a label's known set. */
export const OTHER = 'other';

/** Mounts (app.use) that answer whole paths themselves; their mount path is a template already. */
const TEMPLATE_MOUNTS: ReadonlySet<string> = new Set(['/graphql']);

/** Our own parameter-free mounts whose routers' routes are named under them (`/admin` + `/login`). */
const PREFIXED_MOUNTS: ReadonlySet<string> = new Set(['/admin']);

/** The queue board (Bull Board, an app of its own under `/admin/queues`) and its static files. */
const BOARD = '/admin/queues';
const BOARD_STATIC = `${BOARD}/static`;

/** The dashboard (issue 21): its two API routes by name, everything else under it (files, the app's pages) as one. */
const DASHBOARD = '/dashboard';
const DASHBOARD_API: ReadonlySet<string> = new Set(['/dashboard/api/session', '/dashboard/api/graphql']);
const DASHBOARD_OTHER = '/dashboard/*';

/**
 * The route template a request was answered by, from the matched Express route's path and the
 * mount (`req.baseUrl`) it was answered under: at the root, the route's path (`/c/:slug/openid`);
 * under `/admin`, the mount and the route (`/admin/login`, `/admin` for its `/`); the board's JSON
 * API as `/admin/queues/api/*` (one series per method, whatever the queue or job), its page and
 * its sign-in guard as `/admin/queues`, its files as `/admin/queues/static`; the dashboard's API as
 * `/dashboard/api/session` and `/dashboard/api/graphql`, all else under it as `/dashboard/*`; one of the fixed
 * mounts; else `unmatched`. Never the request's own path, nor a mount path other than these fixed
 * ones: a mount with parameters (`/c/:slug/openid`) has the customer's slug in its `baseUrl`.
 */
export function routeTemplate(routePath: unknown, mountPath: string): string {
  if (mountPath === '') return typeof routePath === 'string' ? routePath : UNMATCHED;
  if (PREFIXED_MOUNTS.has(mountPath)) {
    if (typeof routePath !== 'string') return UNMATCHED;
    return routePath === '/' ? mountPath : `${mountPath}${routePath}`;
  }
  // The board's page is one route of several paths (a list); its API routes are strings under /api/.
  if (mountPath === BOARD) return typeof routePath === 'string' && routePath.startsWith('/api/') ? `${BOARD}/api/*` : BOARD;
  if (mountPath === BOARD_STATIC) return BOARD_STATIC;
  if (mountPath === DASHBOARD || mountPath.startsWith(`${DASHBOARD}/`)) {
    const path = typeof routePath === 'string' && routePath !== '/' ? `${mountPath}${routePath}` : mountPath;
    return DASHBOARD_API.has(path) ? path : DASHBOARD_OTHER;
  }
  return TEMPLATE_MOUNTS.has(mountPath) ? mountPath : UNMATCHED;
}

const GRANT_TYPES: ReadonlySet<string> = new Set(['authorization_code', 'client_credentials', 'refresh_token']);

/** RFC 6749 §5.2's registered error codes (and RFC 6750's, which our token answers never use but may). */
const TOKEN_ERRORS: ReadonlySet<string> = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope']);

/** A token request's grant_type as a label: one we serve, or `other` (also for none). */
export function grantTypeLabel(grantType: string | undefined): string {
  return grantType !== undefined && GRANT_TYPES.has(grantType) ? grantType : OTHER;
}

/** A token answer as a label: `success`, the RFC 6749 error code it carried, or `other`. */
export function tokenResultLabel(status: number, error: unknown): string {
  if (status >= 200 && status < 300) return 'success';
  return typeof error === 'string' && TOKEN_ERRORS.has(error) ? error : OTHER;
}

/**
 * A GraphQL operation's name as a label: a name of one of our own clients' documents (the SDK's and
 * the dashboard's, `known`), `anonymous` for an unnamed one, `other` for any other name: an
 * operation name is text the client chose.
 */
export function operationLabel(name: string | null | undefined, known: ReadonlySet<string>): string {
  if (!name) return 'anonymous';
  return known.has(name) ? name : OTHER;
}

/** `extensions.code` of an operation's first error as a label: our codes are SCREAMING_SNAKE; anything else is `other`. */
export function errorCodeLabel(code: unknown): string {
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : OTHER;
}

/** A refusal code (`REQUEST_EXPIRED`) as a label (`request_expired`); codes are ours, from closed unions. */
export function reasonLabel(code: string): string {
  return /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code.toLowerCase() : OTHER;
}
