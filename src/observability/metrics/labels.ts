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

/**
 * The route template a request was answered by: the path of the Express route that matched
 * (`/c/:slug/openid`; our routers are mounted at the root, so it is the whole path), one of the
 * fixed mounts, or `unmatched`. Never the request's own path, which carries slugs and usernames.
 */
export function routeTemplate(routePath: unknown, mountPath: string): string {
  if (typeof routePath === 'string') return routePath;
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
