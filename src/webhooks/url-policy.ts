import { isIP } from 'node:net';

/** Why a webhook URL or the address it resolves to is refused. */
export class WebhookUrlError extends Error {}

export interface UrlPolicy {
  /** Development only: plain http to loopback, and private, loopback and link-local addresses. */
  allowPrivate: boolean;
}

/** Checks the shape of an endpoint URL: https (http only to loopback when allowed), no credentials, no fragment. */
export function checkWebhookUrl(raw: string, policy: UrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError('url is not a valid absolute URL');
  }
  if (raw.length > 2048) throw new WebhookUrlError('url is longer than 2048 characters');
  if (url.username || url.password) throw new WebhookUrlError('url must not carry credentials');
  if (url.hash) throw new WebhookUrlError('url must not have a fragment');
  if (url.protocol === 'http:') {
    if (!policy.allowPrivate || !isLoopbackName(url.hostname)) throw new WebhookUrlError('url must use https');
  } else if (url.protocol !== 'https:') {
    throw new WebhookUrlError('url must use https');
  }
  const literal = stripBrackets(url.hostname);
  if (isIP(literal) && !policy.allowPrivate && isPrivateAddress(literal)) throw new WebhookUrlError('url points to a private, loopback or link-local address');
  return url;
}

/** Checks one resolved address; called for every address a name resolves to, at creation and at each delivery. */
export function checkResolvedAddress(address: string, policy: UrlPolicy): void {
  if (!policy.allowPrivate && isPrivateAddress(address)) throw new WebhookUrlError(`url resolves to a private, loopback or link-local address (${address})`);
}

function isLoopbackName(hostname: string): boolean {
  const host = stripBrackets(hostname);
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Addresses a webhook must never reach: loopback, private (RFC 1918, ULA), link-local (including
 * cloud metadata at 169.254.169.254), carrier-grade NAT, unspecified, multicast and reserved ranges,
 * and IPv4-mapped IPv6 forms of all of them.
 */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPrivateAddress(mapped[1]!);
  if (isIP(address) === 4) {
    const [a, b] = address.split('.').map(Number) as [number, number, number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 192 && b === 0) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  if (isIP(address) === 6) {
    const lower = address.toLowerCase();
    return (
      lower === '::' ||
      lower === '::1' ||
      /^f[cd]/.test(lower) || // unique local fc00::/7
      /^fe[89ab]/.test(lower) || // link-local fe80::/10
      /^ff/.test(lower) || // multicast
      lower.startsWith('64:ff9b:') || // NAT64 can reach IPv4 private space
      lower.startsWith('2001:db8:')
    );
  }
  return true; // not an address at all: refuse
}
