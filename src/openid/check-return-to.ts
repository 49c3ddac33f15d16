import { InsaneRealmError, InvalidReturnToError, ReturnToOutsideRealmError } from './errors';
import { MAX_URL_LENGTH, parseHttpUrl, type HttpUrl } from './http-url';
import { isRealmSane, realmMatchesUrl, tryParseRealm, type Realm } from './realm';

/**
 * Checks on `openid.return_to` (§9.1, §9.2, §9.2.1), in the order checkid runs them
 * (docs/protocol.md#checkid): syntax, then inside the realm, then realm sanity. None of these failures
 * may be answered by redirecting to return_to (docs/protocol.md#openid-errors).
 */

/**
 * [D] Upper bound on what we store and echo per request. Long assertions are not the concern
 * (they go as a form POST, §5.2.1); unbounded input in the request store is.
 */
export const MAX_RETURN_TO_LENGTH = MAX_URL_LENGTH;

function decodeQueryKey(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * return_to must be an absolute http(s) URL, without a fragment (our fields would land after the
 * '#' and never reach the RP), and without `openid.*` query keys: ours are appended to that same
 * query (§5.2.1) and a second `openid.mode` would make the message ambiguous (§4.1).
 */
export function checkReturnToSyntax(returnTo: string): HttpUrl {
  if (returnTo.length > MAX_RETURN_TO_LENGTH) throw new InvalidReturnToError('openid.return_to is too long');
  const url = parseHttpUrl(returnTo);
  if (url === undefined) throw new InvalidReturnToError('openid.return_to is not an absolute http(s) URL');
  if (url.fragment !== undefined) throw new InvalidReturnToError('openid.return_to must not have a fragment');
  const rawQuery = returnTo.includes('?') ? returnTo.slice(returnTo.indexOf('?') + 1) : '';
  const hasOpenIdKey = rawQuery
    .split('&')
    .some((part) => decodeQueryKey(part.split('=')[0] as string).startsWith('openid.'));
  if (hasOpenIdKey) throw new InvalidReturnToError('openid.return_to must not carry openid.* parameters');
  return url;
}

/** §9.2: "The return_to URL MUST match the realm". [D] Refused with a page, not a redirect. */
export function checkReturnToInRealm(returnTo: string, realm: Realm): void {
  if (!realmMatchesUrl(realm, returnTo)) throw new ReturnToOutsideRealmError();
}

/** [D] Refuses realms too broad to show a user as "the site you are signing in to". */
export function checkRealmSanity(realm: Realm): void {
  if (!isRealmSane(realm)) throw new InsaneRealmError();
}

/**
 * §9.2.1 / §13 return-URL verification, after the caller fetched the realm's XRDS (an outbound,
 * SSRF-guarded fetch that does not belong in this pure module): return_to must match one of the
 * `<URI>`s of its `http://specs.openid.net/auth/2.0/return_to` services, each read as a realm
 * without wildcard (python-openid's `returnToMatches`).
 */
export function returnToMatchesDiscovered(returnTo: string, discoveredReturnTos: readonly string[]): boolean {
  return discoveredReturnTos.some((candidate) => {
    const realm = tryParseRealm(candidate);
    return realm !== undefined && !realm.isWildcard && realmMatchesUrl(realm, returnTo);
  });
}
