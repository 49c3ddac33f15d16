import { AddressRefusal, classifyAddress, hostLiteral } from './address-policy';

/** Why a URL the service would call on a customer's behalf (a webhook endpoint, an RP's realm) is refused; the message is safe to show to whoever entered the URL. */
export class OutboundUrlError extends Error {}

export interface UrlPolicy {
  /** Development only: plain http to loopback, and private, loopback and link-local addresses. */
  allowPrivate: boolean;
}

/**
 * Checks the shape of an outbound URL (webhook endpoint, RP realm), as the WHATWG URL parser (`new URL`) reads it: https (http
 * only to loopback when allowed), no credentials, no fragment, and a host that is a name or a
 * public address. Names are resolved and checked by the caller (`OutboundGuard.resolve`).
 */
export function checkOutboundUrl(raw: string, policy: UrlPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundUrlError('url is not a valid absolute URL');
  }
  if (raw.length > 2048) throw new OutboundUrlError('url is longer than 2048 characters');
  if (url.username || url.password) throw new OutboundUrlError('url must not carry credentials');
  if (url.hash) throw new OutboundUrlError('url must not have a fragment');
  const literal = hostLiteral(url.hostname);
  const verdict = literal === null ? null : classifyAddress(literal);
  if (url.protocol === 'http:') {
    const isLoopback = verdict === 'loopback' || url.hostname === 'localhost';
    if (!policy.allowPrivate || !isLoopback) throw new OutboundUrlError('url must use https');
  } else if (url.protocol !== 'https:') {
    throw new OutboundUrlError('url must use https');
  }
  if (verdict === 'not_an_address') throw new OutboundUrlError('url host is not a valid IP address');
  if (verdict !== null && verdict !== 'public' && !policy.allowPrivate) throw new OutboundUrlError(`url points to ${describeRefusal(verdict)} address`);
  return url;
}

/** "a loopback", "an unspecified", … for messages. */
export function describeRefusal(reason: AddressRefusal): string {
  const words = reason.replace(/_/g, ' ').replace('link local', 'link-local').replace('carrier grade', 'carrier-grade');
  // "an unspecified", but "a unique-local": the article follows the sound, not the letter.
  return `${/^([aeio]|u(?!ni))/.test(words) ? 'an' : 'a'} ${words}`;
}
