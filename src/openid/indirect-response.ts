import { escapeMarkup } from './markup';
import type { OpenIdMessage } from './message';

/**
 * Indirect communication (§5.2): the browser carries the message to the RP, either as a
 * redirect with the message appended to return_to's query, or as a self-submitting HTML form.
 */

/**
 * Longest URL we redirect to; longer messages go as a form POST. Browsers and proxies start
 * truncating around 2 KB (python-openid switches at 2047 characters); we stay a little below.
 */
export const MAX_REDIRECT_URL_LENGTH = 2000;

export type IndirectResponse =
  | { readonly kind: 'redirect'; readonly status: 302; readonly location: string }
  | {
      readonly kind: 'form';
      readonly status: 200;
      readonly contentType: 'text/html; charset=utf-8';
      readonly html: string;
    };

export interface FormPostOptions {
  /** CSP nonce for the one inline script that submits the form. */
  readonly cspNonce?: string;
}

/**
 * Percent-encodes what a Location header cannot carry (non-ASCII, spaces, controls), as a
 * browser would before sending the request. Already-encoded sequences are left alone.
 */
function headerSafe(url: string): string {
  return url.replace(/[^\x21-\x7e]+/g, (run) => encodeURIComponent(run));
}

/**
 * return_to with the message appended, keeping the RP's own query (§5.2.1: "the receiver URL
 * with the OpenID message appended to its query string"): `?` if it has none, `&` otherwise.
 * Our fields go before any fragment so they stay in the query.
 */
export function appendMessageToUrl(url: string, message: OpenIdMessage): string {
  const hash = url.indexOf('#');
  const base = headerSafe(hash < 0 ? url : url.slice(0, hash));
  const fragment = hash < 0 ? '' : headerSafe(url.slice(hash));
  const query = message.toQueryString();
  let separator = '&';
  if (!base.includes('?')) separator = '?';
  else if (base.endsWith('?') || base.endsWith('&')) separator = '';
  return `${base}${separator}${query}${fragment}`;
}

/**
 * §5.2.1 form redirection: one hidden input per field, a submit button for browsers without
 * JavaScript, and a script that submits at once. Every value is escaped.
 */
export function formPostHtml(action: string, message: OpenIdMessage, options: FormPostOptions = {}): string {
  const inputs = message
    .toPostFields()
    .map(([name, value]) => `<input type="hidden" name="${escapeMarkup(name)}" value="${escapeMarkup(value)}">`)
    .join('\n');
  const nonce = options.cspNonce === undefined ? '' : ` nonce="${escapeMarkup(options.cspNonce)}"`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><title>Returning to the site</title></head>',
    '<body>',
    `<form id="openid-message" method="post" action="${escapeMarkup(action)}" accept-charset="UTF-8">`,
    inputs,
    '<noscript><p>Press Continue to return to the site.</p></noscript>',
    '<button type="submit">Continue</button>',
    '</form>',
    `<script${nonce}>document.getElementById('openid-message').submit();</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Redirect when the URL stays under `MAX_REDIRECT_URL_LENGTH`, else an auto-submitting form. */
export function indirectResponse(
  returnTo: string,
  message: OpenIdMessage,
  options: FormPostOptions = {},
): IndirectResponse {
  const location = appendMessageToUrl(returnTo, message);
  if (location.length < MAX_REDIRECT_URL_LENGTH) return { kind: 'redirect', status: 302, location };
  return {
    kind: 'form',
    status: 200,
    contentType: 'text/html; charset=utf-8',
    html: formPostHtml(returnTo, message, options),
  };
}
