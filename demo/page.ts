import { Response } from 'express';
import { escapeMarkup } from '../src/openid';

/** Escapes text for HTML element content and double-quoted attribute values. */
export const esc = escapeMarkup;

/**
 * Headers for the demo pages: never cached, never framed, no script at all. Forms may post (and be
 * redirected) anywhere, because every step of the demo hands the browser to another origin.
 */
function setPageHeaders(res: Response): void {
  res.set('Cache-Control', 'no-store');
  res.set('X-Frame-Options', 'DENY');
  res.set('X-Content-Type-Options', 'nosniff');
  res.set('Referrer-Policy', 'no-referrer');
  res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action *; frame-ancestors 'none'; base-uri 'none'");
}

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}'
  + 'label{display:block;margin-top:.75rem}input[type=text],input[type=password]{font-size:1rem;padding:.3rem;width:100%;max-width:20rem}'
  + 'button{font-size:1rem;margin:1rem .5rem 0 0;padding:.4rem 1rem}table{border-collapse:collapse}'
  + 'th,td{border:1px solid #999;padding:.3rem .6rem;text-align:left}.error{color:#a00;font-weight:bold}';

/** A whole page around `bodyHtml`, which the caller has already escaped. */
export function renderPage(siteName: string, title: string, bodyHtml: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)} - ${esc(siteName)}</title><style>${STYLE}</style></head>`,
    '<body>',
    `<header><p><strong>${esc(siteName)}</strong></p></header>`,
    '<main>',
    `<h1>${esc(title)}</h1>`,
    bodyHtml,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export function sendPage(res: Response, status: number, siteName: string, title: string, bodyHtml: string): void {
  setPageHeaders(res);
  res.status(status).type('html').send(renderPage(siteName, title, bodyHtml));
}

/** A plain-text answer, for requests no page can help with. */
export function sendText(res: Response, status: number, text: string): void {
  setPageHeaders(res);
  res.status(status).type('text/plain').send(`${text}\n`);
}

/** One string value from a parsed query or form body; repeated or missing fields give undefined. */
export function field(source: unknown, name: string): string | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  const value = (source as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}
