import { Response } from 'express';
import { escapeMarkup } from '../openid';

/**
 * Headers of every page we render for people: never cached (they may carry one-time state), never
 * framed (clickjacking), no inline script except where a page sets its own nonce.
 */
export function setPageHeaders(res: Response, scriptNonce?: string, imageOrigin?: string | null): void {
  res.set('Cache-Control', 'no-store');
  res.set('X-Frame-Options', 'DENY');
  res.set('X-Content-Type-Options', 'nosniff');
  res.set('Referrer-Policy', 'no-referrer');
  const script = scriptNonce ? `script-src 'nonce-${scriptNonce}'` : "script-src 'none'";
  // Images only from the one origin a page names (an OpenID Connect client's logo on the consent page).
  const images = imageOrigin ? `; img-src ${imageOrigin}` : '';
  res.set('Content-Security-Policy', `default-src 'none'; style-src 'unsafe-inline'; ${script}; form-action *; frame-ancestors 'none'; base-uri 'none'${images}`);
}

/** One small stylesheet for every page we render: readable, no external resources. */
export const PAGE_STYLE = `<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
main{max-width:34rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:.75rem;box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin-top:0}code{font-size:.85em;word-break:break-all}
fieldset{border:1px solid #d6d9e0;border-radius:.5rem}ul{list-style:none;padding-left:0}li{margin:.4rem 0}
button{font-size:1rem;padding:.5rem 1.25rem;border-radius:.4rem;border:1px solid #1d2330;background:#fff;cursor:pointer;margin-right:.5rem}
button[value=allow]{background:#1d4ed8;border-color:#1d4ed8;color:#fff}
</style>`;

/** A plain, accessible page with a title and one paragraph; every value is escaped. */
export function renderMessagePage(title: string, message: string, requestId?: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeMarkup(title)}</title>${PAGE_STYLE}</head>`,
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
