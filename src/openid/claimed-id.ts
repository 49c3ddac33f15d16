import { parseHttpUrl } from './http-url';

/**
 * [D] Our claimed identifiers: `{opBase}/id/{encodeURIComponent(username)}`, where opBase is
 * `{PUBLIC_URL}/c/{slug}` (docs/protocol.md#actors, docs/protocol.md#decision-addresses). RPs may hand them back normalised (python-openid
 * runs urinorm), so reading one back compares normalised URLs, not strings.
 */

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Whether a username can live in a claimed identifier: '.' and '..' would vanish as dot
 * segments in every RP's URL normalisation, control characters have no place in a URL.
 */
export function isClaimableUsername(username: string): boolean {
  // eslint-disable-next-line no-control-regex
  return username !== '' && username !== '.' && username !== '..' && !/[\x00-\x1f\x7f]/.test(username);
}

export function claimedIdFor(opBase: string, username: string): string {
  if (!isClaimableUsername(username)) throw new RangeError('This username cannot form a claimed identifier');
  return `${trimSlashes(opBase)}/id/${encodeURIComponent(username)}`;
}

/**
 * The username inside one of our claimed identifiers, or undefined when the URL is not one of
 * ours (another host or tenant, extra path segments, a query). A fragment is ignored: §11.5.1
 * lets OPs add one to recycle identifiers.
 */
export function usernameFromClaimedId(opBase: string, identifier: string): string | undefined {
  const base = parseHttpUrl(trimSlashes(opBase));
  const hash = identifier.indexOf('#');
  const url = parseHttpUrl(hash < 0 ? identifier : identifier.slice(0, hash));
  if (base === undefined || url === undefined || url.query !== undefined) return undefined;
  if (url.scheme !== base.scheme || url.host !== base.host || url.port !== base.port) return undefined;
  const prefix = `${base.path === '/' ? '' : base.path}/id/`;
  if (!url.path.startsWith(prefix)) return undefined;
  const segment = url.path.slice(prefix.length);
  if (segment.includes('/')) return undefined;
  let username: string;
  try {
    username = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  return isClaimableUsername(username) ? username : undefined;
}
