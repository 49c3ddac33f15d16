import { parse as parseDomain } from 'tldts';
import { BadRealmError } from './errors';
import { parseHttpUrl, pathAndQuery, type HttpUrl } from './http-url';

/**
 * Realms (§9.2): the URL pattern an RP asks the user to trust. `*.` may start the host; a URL
 * matches when scheme and port are equal, the host is equal (or, for a wildcard, the base domain
 * or a subdomain of it) and the path equals or sits under the realm's path. Details follow
 * python-openid's `TrustRoot` so both OP implementations agree on the same table (docs/protocol.md#vectors-realms).
 */

export interface Realm {
  /** The realm exactly as the RP sent it. */
  readonly raw: string;
  readonly scheme: 'http' | 'https';
  /** Host without the `*.`; '' for a bare `*` host (a realm matching every host). */
  readonly host: string;
  readonly isWildcard: boolean;
  readonly port: number | undefined;
  /** Normalised path plus `?query`. */
  readonly path: string;
}

function fromUrl(raw: string, url: HttpUrl): Realm {
  const { scheme, host, isWildcard, port } = url;
  return { raw, scheme, host, isWildcard, port, path: pathAndQuery(url) };
}

/** A realm, or undefined when it does not parse (no http(s), wildcard elsewhere, a fragment, …). */
export function tryParseRealm(realm: string): Realm | undefined {
  const url = parseHttpUrl(realm, { allowWildcard: true });
  // §9.2: "A realm is a URL ... without a fragment"; even an empty '#' is refused.
  if (url === undefined || url.fragment !== undefined) return undefined;
  return fromUrl(realm, url);
}

/** As `tryParseRealm`, throwing `BadRealmError`. */
export function parseRealm(realm: string): Realm {
  const parsed = tryParseRealm(realm);
  if (parsed === undefined) throw new BadRealmError();
  return parsed;
}

/**
 * python-openid's path rule: equal, or the realm path is a prefix ending on a boundary. Without a
 * query in the realm the boundary is '/' or '?' (`/abc` covers `/abc/def` and `/abc?x`, not
 * `/abcd`); with one, only '&' (`/?x=y` covers `/?x=y&a=b`).
 */
export function isPathWithin(path: string, realmPath: string): boolean {
  if (path === realmPath) return true;
  if (!path.startsWith(realmPath)) return false;
  const boundaries = realmPath.includes('?') ? '&' : '?/';
  const lastOfRealm = realmPath[realmPath.length - 1] as string;
  return boundaries.includes(lastOfRealm) || boundaries.includes(path[realmPath.length] as string);
}

/** Host rule: exact, or for `*.foo.com` either `foo.com` itself or any subdomain of it. */
export function isHostWithin(host: string, realm: Pick<Realm, 'host' | 'isWildcard'>): boolean {
  if (!realm.isWildcard) return host === realm.host;
  return realm.host === '' || host === realm.host || host.endsWith(`.${realm.host}`);
}

/** Whether a URL (never a pattern: a `*` host never matches) falls inside the realm. */
export function realmMatchesUrl(realm: Realm, url: string): boolean {
  const parsed = parseHttpUrl(url);
  if (parsed === undefined) return false;
  return (
    parsed.scheme === realm.scheme &&
    parsed.port === realm.port &&
    isHostWithin(parsed.host, realm) &&
    isPathWithin(pathAndQuery(parsed), realm.path)
  );
}

/**
 * Sanity (docs/protocol.md#checkid): is this pattern specific enough to name one site? Uses the public
 * suffix list (tldts, private suffixes included) instead of python-openid's TLD list:
 * - a wildcard is insane over nothing (`*`), over a public suffix (`*.com`, `*.co.uk`,
 *   `*.museum`, `*.github.io`), over an IP address, or over a name whose TLD the list does not
 *   know (`*.foo.notatld`);
 * - an exact host is insane when it is itself an ICANN public suffix (`http://it/`) or its TLD is
 *   unknown (`http://www.schtuffcom/`). `localhost` and IP literals are sane: they name one host.
 */
export function isRealmSane(realm: Realm): boolean {
  const host = realm.host.endsWith('.') ? realm.host.slice(0, -1) : realm.host;
  if (realm.isWildcard) {
    if (host === '') return false;
    const info = parseDomain(host, { allowPrivateDomains: true });
    if (info.isIp !== false || (info.isIcann !== true && info.isPrivate !== true)) return false;
    return info.domain !== null && host !== info.publicSuffix;
  }
  if (host === 'localhost' || host.startsWith('[')) return true;
  const info = parseDomain(host, { allowPrivateDomains: false });
  if (info.isIp === true) return true;
  return info.isIcann === true && info.domain !== null;
}

/**
 * §9.2.1 / §13: where to run RP discovery. For a wildcard realm the `*` becomes `www`
 * (`http://*.example.com:8001/foo` → `http://www.example.com:8001/foo`); other realms are used as sent.
 */
export function rpDiscoveryUrl(realm: Realm | string): string {
  const parsed = typeof realm === 'string' ? parseRealm(realm) : realm;
  if (!parsed.isWildcard) return parsed.raw;
  const host = parsed.host === '' ? 'www' : `www.${parsed.host}`;
  const port = parsed.port === undefined ? '' : `:${parsed.port}`;
  return `${parsed.scheme}://${host}${port}${parsed.path}`;
}

/**
 * For validating configuration (a customer's trusted realms): undefined when the realm parses and
 * is sane, otherwise a short predicate to append to the realm in a message.
 */
export function checkRealmSyntax(realm: string): string | undefined {
  const parsed = tryParseRealm(realm);
  if (parsed === undefined) {
    return 'is not a valid realm (an absolute http(s) URL, optionally *. before the host, no fragment)';
  }
  if (!isRealmSane(parsed)) return 'is too broad (a wildcard over a public suffix, or an unknown top-level domain)';
  return undefined;
}
