import { createHash, createHmac } from 'node:crypto';
import { secretsEqual } from '../shared/secret-compare';
import { isUuid } from '../shared/ids';
import { SecretKeyRing } from '../shared/secret-key-ring';

/**
 * Browser binding of a request (docs/protocol.md#return-url, docs/protocol.md#consent). At step 2 the browser gets a cookie that
 * names the request and proves it was issued to this browser; the Return URL and the consent form
 * refuse to act without it, so a request_id completed by someone else cannot be replayed into a
 * victim's browser (login CSRF), and the consent form's token is tied to both.
 *
 * Both are made under the newest SECRET_KEYS version and accepted under any listed one, so a
 * sign-in under way during a rotation finishes.
 */

export const TXN_COOKIE = 'ids_txn';

function mac(secret: string, purpose: string, ...parts: string[]): string {
  return createHmac('sha256', secret).update([purpose, ...parts].join('\n')).digest('base64url');
}

function cookieUnder(secret: string, authRequestId: string, requestIdHash: string): string {
  return `${authRequestId}.${mac(secret, 'ids-txn', authRequestId, requestIdHash)}`;
}

/** `<auth request id>.<HMAC(secret, id, request_id hash)>`, under the newest version. */
export function bindingCookieValue(keys: SecretKeyRing, authRequestId: string, requestIdHash: string): string {
  return cookieUnder(keys.current.secret.reveal(), authRequestId, requestIdHash);
}

/** The auth request id a well-formed cookie names (not yet proven). */
export function cookieRequestId(cookie: string | undefined): string | null {
  const match = cookie ? /^([0-9a-f-]{36})\.[A-Za-z0-9_-]{43}$/.exec(cookie) : null;
  // Only a UUID can name a request (and only one reaches the database as one).
  return match && isUuid(match[1]!) ? match[1]! : null;
}

export function isBindingCookieValid(keys: SecretKeyRing, cookie: string | undefined, authRequestId: string, requestIdHash: string): boolean {
  if (!cookie) return false;
  return keys.all.some((v) => secretsEqual(cookie, cookieUnder(v.secret.reveal(), authRequestId, requestIdHash)));
}

/** The consent form's CSRF token: bound to the request and to the browser's binding cookie. */
export function csrfToken(keys: SecretKeyRing, authRequestId: string, cookie: string): string {
  return mac(keys.current.secret.reveal(), 'ids-consent-csrf', authRequestId, cookie);
}

export function isCsrfTokenValid(keys: SecretKeyRing, token: string | undefined, authRequestId: string, cookie: string): boolean {
  return token !== undefined && keys.all.some((v) => secretsEqual(token, mac(v.secret.reveal(), 'ids-consent-csrf', authRequestId, cookie)));
}

/** request_ids are bearer secrets: only their hash is stored and looked up. */
export function hashRequestId(requestId: string): string {
  return createHash('sha256').update(requestId, 'utf8').digest('hex');
}
