import { Request, RequestHandler } from 'express';

/** A year, the value HSTS preload lists expect. */
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Whether the browser reached us over TLS: directly, through a trusted proxy that says so in
 * X-Forwarded-Proto, or because PUBLIC_URL (what every client is told to use) is https.
 */
export function isSecureRequest(req: Request, trustProxy: boolean, publicUrl: string): boolean {
  if (req.secure || publicUrl.startsWith('https://')) return true;
  return trustProxy && String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim() === 'https';
}

/** The same on every answer: set as they are, with no per-request work. */
const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
  ['X-Frame-Options', 'DENY'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"],
];

/**
 * Security headers on every response, set before any route runs. Non-page answers (key-value,
 * JSON, plain text) get the strictest CSP; the pages we render replace it with their own
 * (`setPageHeaders`), which allows only their inline style and a nonce'd script.
 */
export function securityHeaders(isSecure: (req: Request) => boolean): RequestHandler {
  return (req, res, next) => {
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
    if (isSecure(req)) res.setHeader('Strict-Transport-Security', HSTS);
    next();
  };
}

/** RFC 9110 §15.5.15: a URL longer than we accept answers 414 before any route reads it. */
export function urlLengthLimit(maxLength: number): RequestHandler {
  return (req, res, next) => {
    if (req.originalUrl.length <= maxLength) return next();
    res.set('Cache-Control', 'no-store');
    res.status(414).type('text/plain').send(`error: uri_too_long\nrequest_id: ${String(res.locals.requestId)}\n`);
  };
}

/**
 * Whether a changing request came from a page of ours: a browser says where a request comes from,
 * in Sec-Fetch-Site (current browsers) or Origin. Anything but same-origin, or no Sec-Fetch-Site and
 * an Origin other than PUBLIC_URL's (or none), is cross-site. The queue board, the dashboard and the
 * privacy center refuse those; SameSite=Strict cookies and CSRF tokens are further guards.
 */
export function isSameOrigin(req: Request, publicOrigin: string): boolean {
  const site = req.headers['sec-fetch-site'];
  return site !== undefined ? site === 'same-origin' : req.headers.origin === publicOrigin;
}
