import { isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import { hasLoneSurrogate } from './kv-form';

/**
 * A strict parser for the absolute http(s) URLs that realms and return_to URLs must be (§9.2),
 * normalised like python-openid's `urinorm` (RFC 3986 §6): lower-case scheme and host, IDN hosts
 * to punycode, default ports dropped, percent-encoding normalised, dot segments removed.
 *
 * Deliberately narrower than browsers' WHATWG parser: input the two could read differently
 * (backslashes, embedded tabs/newlines, userinfo, percent-encoded hosts) is refused, so the URL
 * we match against the realm is the URL the browser will visit.
 */

export interface HttpUrl {
  readonly scheme: 'http' | 'https';
  /** Lower-case ASCII host; for a wildcard realm the part after `*.` ('' for a bare `*`). */
  readonly host: string;
  readonly isWildcard: boolean;
  /** Explicit non-default port; undefined for the scheme's default (80/443). */
  readonly port: number | undefined;
  /** Normalised path, always starting with `/`. */
  readonly path: string;
  /** Normalised query without `?`; undefined when absent or empty. */
  readonly query: string | undefined;
  /** Raw fragment without `#`, if any. */
  readonly fragment: string | undefined;
}

/** [D] Longer input is refused outright: no real realm or return_to comes near it. */
export const MAX_URL_LENGTH = 4096;

const URL_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;
/** Controls, space and backslash: browsers strip or reinterpret them, so a URL with one is refused. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\x00-\x20\x7f\\]/;
const HOST_LABEL = /^[a-z0-9_-]{1,63}$/;
const DEFAULT_PORT = { http: 80, https: 443 } as const;
const UNRESERVED = /[A-Za-z0-9\-._~]/;
/** Characters kept literally in a path (RFC 3986 pchar + '/'); in a query also '?'. */
const PATH_CHAR = /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/;
const QUERY_CHAR = /[A-Za-z0-9\-._~!$&'()*+,;=:@/?]/;

function isHostName(host: string): boolean {
  const labels = host.endsWith('.') ? host.slice(0, -1).split('.') : host.split('.');
  return host.length <= 254 && labels.every((label) => HOST_LABEL.test(label));
}

function parseHost(raw: string, allowWildcard: boolean): { host: string; isWildcard: boolean } | undefined {
  if (raw.startsWith('[')) {
    const inner = raw.slice(1, -1);
    return raw.endsWith(']') && isIPv6(inner) ? { host: `[${inner.toLowerCase()}]`, isWildcard: false } : undefined;
  }
  let rest = raw;
  let isWildcard = false;
  if (allowWildcard && raw === '*') return { host: '', isWildcard: true };
  if (allowWildcard && raw.startsWith('*.')) {
    rest = raw.slice(2);
    isWildcard = true;
  }
  // IDNA only when needed: on ASCII input it would also rewrite numeric hosts such as 127.1.
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(rest) ? rest.toLowerCase() : domainToASCII(rest);
  return ascii !== '' && isHostName(ascii) ? { host: ascii, isWildcard } : undefined;
}

function splitAuthority(authority: string): { hostPart: string; portText: string } | undefined {
  const hostEnd = authority.startsWith('[') ? authority.indexOf(']') + 1 : authority.indexOf(':');
  if (hostEnd === 0) return undefined; // '[' without ']'
  if (hostEnd < 0) return { hostPart: authority, portText: '' };
  return { hostPart: authority.slice(0, hostEnd), portText: authority.slice(hostEnd) };
}

/** Decodes %XX of unreserved characters, upper-cases other escapes, escapes the rest (RFC 3986 §6.2.2). */
function normaliseEncoding(text: string, keep: RegExp): string | undefined {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const char = text[i] as string;
    if (char === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      const decoded = String.fromCharCode(parseInt(hex, 16));
      out += UNRESERVED.test(decoded) ? decoded : `%${hex.toUpperCase()}`;
      i += 3;
      continue;
    }
    const codePoint = String.fromCodePoint(text.codePointAt(i) as number);
    out += keep.test(codePoint) ? codePoint : encodeURIComponent(codePoint);
    i += codePoint.length;
  }
  return out;
}

/** RFC 3986 §5.2.4, the algorithm python-openid's urinorm uses. */
export function removeDotSegments(path: string): string {
  const output: string[] = [];
  let input = path;
  while (input.length > 0) {
    if (input.startsWith('../')) input = input.slice(3);
    else if (input.startsWith('./')) input = input.slice(2);
    else if (input.startsWith('/./')) input = input.slice(2);
    else if (input === '/.') input = '/';
    else if (input.startsWith('/../') || input === '/..') {
      input = input === '/..' ? '/' : input.slice(3);
      output.pop();
    } else if (input === '.' || input === '..') input = '';
    else {
      const end = input.indexOf('/', input.startsWith('/') ? 1 : 0);
      const segment = end < 0 ? input : input.slice(0, end);
      output.push(segment);
      input = input.slice(segment.length);
    }
  }
  return output.join('');
}

/** Parses and normalises; undefined for anything that is not a plain absolute http(s) URL. */
export function parseHttpUrl(input: string, options: { readonly allowWildcard?: boolean } = {}): HttpUrl | undefined {
  if (input.length > MAX_URL_LENGTH || FORBIDDEN.test(input) || hasLoneSurrogate(input)) return undefined;
  const match = URL_SHAPE.exec(input);
  if (match === null) return undefined;
  const [, rawScheme, authority, rawPath, rawQuery, fragment] = match as unknown as [
    string, string, string, string, string | undefined, string | undefined,
  ];
  const scheme = rawScheme.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  // Userinfo is refused outright: `http://good.com@evil.com` reads differently to people.
  if (authority.includes('@')) return undefined;

  const split = splitAuthority(authority);
  if (split === undefined || !/^(:\d*)?$/.test(split.portText)) return undefined;
  const { hostPart, portText } = split;
  const host = parseHost(hostPart, options.allowWildcard ?? false);
  if (host === undefined) return undefined;
  let port: number | undefined = portText.length > 1 ? Number(portText.slice(1)) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  if (port === DEFAULT_PORT[scheme]) port = undefined;

  const encodedPath = normaliseEncoding(rawPath, PATH_CHAR);
  const query = rawQuery === undefined ? undefined : normaliseEncoding(rawQuery, QUERY_CHAR);
  if (encodedPath === undefined || (query === undefined && rawQuery !== undefined)) return undefined;
  const path = removeDotSegments(encodedPath) || '/';
  return { scheme, ...host, port, path, query: query === '' ? undefined : query, fragment };
}

/** Path plus `?query`: the part realm matching compares (python-openid's `_parseURL`). */
export function pathAndQuery(url: HttpUrl): string {
  return url.query === undefined ? url.path : `${url.path}?${url.query}`;
}
