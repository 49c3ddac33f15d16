import { Response } from 'express';
import { escapeMarkup } from '../openid';
import { PAGE_STYLE } from '../http/pages';

/**
 * The sign-in, sign-out and refusal pages of the queue board: plain forms that work without
 * JavaScript, no script at all, posting only to this origin. Never cached or framed.
 */
export function sendAdminPage(res: Response, status: number, title: string, body: string): void {
  res.set('Cache-Control', 'no-store');
  res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; script-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  res.status(status).type('html').send(
    [
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
      `<meta name="robots" content="noindex"><title>${escapeMarkup(title)}</title>${PAGE_STYLE}</head>`,
      '<body>',
      '<main>',
      `<h1>${escapeMarkup(title)}</h1>`,
      body,
      '</main>',
      '</body>',
      '</html>',
      '',
    ].join('\n'),
  );
}

/** The sign-in form: an operator token and the CSRF token bound to the pre-session cookie. */
export function loginForm(csrf: string, error: string | null): string {
  return [
    error ? `<p role="alert"><strong>${escapeMarkup(error)}</strong></p>` : '',
    '<p>Sign in with a platform owner\'s operator token (<code>ops_…</code>).</p>',
    '<form method="post" action="/admin/login">',
    `<input type="hidden" name="csrf" value="${escapeMarkup(csrf)}">`,
    '<p><label for="token">Operator token</label><br>',
    '<input id="token" name="token" type="password" autocomplete="off" required maxlength="200" size="40"></p>',
    '<p><button type="submit">Sign in</button></p>',
    '</form>',
  ].join('\n');
}

/** The sign-out form (a POST with its own CSRF token, bound to the session). */
export function logoutForm(csrf: string): string {
  return [
    '<form method="post" action="/admin/logout">',
    `<input type="hidden" name="csrf" value="${escapeMarkup(csrf)}">`,
    '<p><button type="submit">Sign out</button> <a href="/admin/queues">Back to the queue board</a></p>',
    '</form>',
  ].join('\n');
}

export function paragraph(text: string, link?: { href: string; text: string }): string {
  return `<p>${escapeMarkup(text)}</p>` + (link ? `\n<p><a href="${escapeMarkup(link.href)}">${escapeMarkup(link.text)}</a></p>` : '');
}
