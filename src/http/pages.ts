import { Response } from 'express';
import { escapeMarkup } from '../openid';

/**
 * Headers of every page we render for people: never cached (they may carry one-time state), never
 * framed (clickjacking), no inline script except where a page sets its own nonce.
 */
export function setPageHeaders(res: Response, scriptNonce?: string): void {
  res.set('Cache-Control', 'no-store');
  res.set('X-Frame-Options', 'DENY');
  res.set('X-Content-Type-Options', 'nosniff');
  res.set('Referrer-Policy', 'no-referrer');
  const script = scriptNonce ? `script-src 'nonce-${scriptNonce}'` : "script-src 'none'";
  res.set('Content-Security-Policy', `default-src 'none'; style-src 'unsafe-inline'; ${script}; form-action *; frame-ancestors 'none'; base-uri 'none'`);
}

/** A plain, accessible page with a title and one paragraph; every value is escaped. */
export function renderMessagePage(title: string, message: string, requestId?: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeMarkup(title)}</title></head>`,
    '<body>',
    '<main>',
    `<h1>${escapeMarkup(title)}</h1>`,
    `<p>${escapeMarkup(message)}</p>`,
    requestId ? `<p><small>Reference: ${escapeMarkup(requestId)}</small></p>` : '',
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export function sendMessagePage(res: Response, status: number, title: string, message: string): void {
  setPageHeaders(res);
  res.status(status).type('html').send(renderMessagePage(title, message, String(res.locals.requestId ?? '')));
}
