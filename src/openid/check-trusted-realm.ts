import { UntrustedRealmError } from './errors';
import { isHostWithin, isPathWithin, tryParseRealm, type Realm } from './realm';

/**
 * [D] Customer whitelist of RP realms. The rule:
 *
 * - an empty whitelist trusts every (sane) realm;
 * - otherwise a requested realm R is trusted when some whitelisted realm W contains it, i.e.
 *   every URL R matches is also matched by W: same scheme and port, R's host inside W's host
 *   (a wildcard W covers its base domain and all subdomains; an exact W covers only that host,
 *   so a wildcard R is never inside an exact W), and R's path inside W's path with the same
 *   boundary rule as return_to matching (§9.2).
 *
 * So W = `https://*.example.com/` trusts `https://shop.example.com/cart` and
 * `https://*.eu.example.com/`, but not `http://shop.example.com/` (scheme) or `https://example.org/`.
 * Whitelist entries that do not parse as realms never match anything.
 */

/** Whether every URL matched by `inner` is matched by `outer`. */
export function isRealmWithin(inner: Realm, outer: Realm): boolean {
  if (inner.scheme !== outer.scheme || inner.port !== outer.port) return false;
  if (inner.isWildcard && !outer.isWildcard) return false;
  if (inner.isWildcard && inner.host === '' && outer.host !== '') return false;
  return isHostWithin(inner.host, outer) && isPathWithin(inner.path, outer.path);
}

export function isRealmTrusted(realm: Realm, trustedRealms: readonly string[]): boolean {
  if (trustedRealms.length === 0) return true;
  return trustedRealms.some((entry) => {
    const outer = tryParseRealm(entry);
    return outer !== undefined && isRealmWithin(realm, outer);
  });
}

/** Throws `UntrustedRealmError` (an error page, never a redirect) when the realm is not whitelisted. */
export function checkTrustedRealm(realm: Realm, trustedRealms: readonly string[]): void {
  if (!isRealmTrusted(realm, trustedRealms)) throw new UntrustedRealmError();
}
