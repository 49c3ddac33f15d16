import { createHash, createHmac } from 'node:crypto';
import { secretsEqual } from '../shared/secret-compare';
import { isUuid } from '../shared/ids';

/**
 * Browser binding of a request (PROTOCOL.md §4.4, §4.5). At step 2 the browser gets a cookie that
 * names the request and proves it was issued to this browser; the Return URL and the consent form
 * refuse to act without it, so a request_id completed by someone else cannot be replayed into a
 * victim's browser (login CSRF), and the consent form's token is tied to both.
 */

export const TXN_COOKIE = 'ids_txn';

function mac(secret: string, purpose: string, ...parts: string[]): string {
  return createHmac('sha256', secret).update([purpose, ...parts].join('\n')).digest('base64url');
}

/** `<auth request id>.<HMAC(secret, id, request_id hash)>`. */
export function bindingCookieValue(secret: string, authRequestId: string, requestIdHash: string): string {
  return `${authRequestId}.${mac(secret, 'ids-txn', authRequestId, requestIdHash)}`;
}

/** The auth request id a well-formed cookie names (not yet proven). */
export function cookieRequestId(cookie: string | undefined): string | null {
  const match = cookie ? /^([0-9a-f-]{36})\.[A-Za-z0-9_-]{43}$/.exec(cookie) : null;
  // Only a UUID can name a request (and only one reaches the database as one).
  return match && isUuid(match[1]!) ? match[1]! : null;
}

export function isBindingCookieValid(secret: string, cookie: string | undefined, authRequestId: string, requestIdHash: string): boolean {
  if (!cookie) return false;
  return secretsEqual(cookie, bindingCookieValue(secret, authRequestId, requestIdHash));
}

/** The consent form's CSRF token: bound to the request and to the browser's binding cookie. */
export function csrfToken(secret: string, authRequestId: string, cookie: string): string {
  return mac(secret, 'ids-consent-csrf', authRequestId, cookie);
}

export function isCsrfTokenValid(secret: string, token: string | undefined, authRequestId: string, cookie: string): boolean {
  return token !== undefined && secretsEqual(token, csrfToken(secret, authRequestId, cookie));
}

/** request_ids are bearer secrets: only their hash is stored and looked up. */
export function hashRequestId(requestId: string): string {
  return createHash('sha256').update(requestId, 'utf8').digest('hex');
}
