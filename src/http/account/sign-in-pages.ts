import { Response } from 'express';
import { escapeMarkup } from '../../openid';
import { PAGE_STYLE, sendMessagePage, setPageHeaders } from '../pages';

/**
 * The few pages of the privacy center's sign-in itself (account-sign-in.ts, account-guard.ts): the
 * center that is not there, too many attempts, the hop that carries the new session cookie, a
 * session that has ended, and the page shown while no page set is mounted. The center's own pages
 * (overview, forms, receipts) are pc-pages' (http/account/pages/).
 */

/** The same page for an unknown customer and a customer whose center is off: nothing tells them apart. */
export function sendNoCenterPage(res: Response): void {
  sendMessagePage(res, 404, 'No privacy center', 'This website has no privacy center here.');
}

/** Too many sign-ins from one address, or of one person: 429 with Retry-After (RFC 6585 §4), as a page. */
export function sendTooManyAttemptsPage(res: Response, retryAfterSeconds: number): void {
  res.set('Retry-After', String(retryAfterSeconds));
  sendMessagePage(res, 429, 'Too many attempts', `Too many sign-in attempts. Try again in ${retryAfterSeconds} seconds.`);
}

/** A form sent without a live session of this center (none, ended, or another customer's). */
export function sendSessionEndedPage(res: Response, slug: string): void {
  setPageHeaders(res);
  res.status(401).type('html').send(linkPage('Signed out', 'Your session has ended. Sign in again to continue.', `/c/${encodeURIComponent(slug)}/account`, 'Sign in again'));
}

/** A form refused before it was read (another site's, a wrong token, not a form): nothing changed. */
export function sendFormRefusedPage(res: Response, status: number, message: string): void {
  sendMessagePage(res, status, 'Request refused', message);
}

/**
 * The page that follows a successful sign-in. The session cookie is SameSite=Strict, and the browser
 * arrived here from the AW's site: a Strict cookie is not sent on the next hop of a cross-site
 * redirect chain, but it is on a same-origin navigation, which this refresh (and its link) starts.
 */
export function sendContinuePage(res: Response, slug: string): void {
  setPageHeaders(res);
  const target = `/c/${encodeURIComponent(slug)}/account`;
  res.status(200).type('html').send(linkPage('Signed in', 'You are signed in. Continuing to your privacy center…', target, 'Continue', `<meta http-equiv="refresh" content="0;url=${escapeMarkup(target)}">`));
}

/**
 * Until the center's pages are mounted: where the signed-out person starts, and, signed in (`csrf`
 * given), the sign-out form.
 */
export function sendPlaceholderPage(res: Response, slug: string, csrf: string | null): void {
  setPageHeaders(res);
  const base = `/c/${encodeURIComponent(slug)}/account`;
  const signOut = [
    `<form method="post" action="${escapeMarkup(base)}/sign-out">`,
    `<input type="hidden" name="csrf" value="${escapeMarkup(csrf ?? '')}">`,
    '<button type="submit">Sign out</button>',
    '</form>',
  ].join('');
  res
    .status(200)
    .type('html')
    .send(
      csrf === null
        ? linkPage('Your privacy center', 'Sign in to see the data this website holds about you.', `${base}/sign-in`, 'Sign in')
        : linkPage('Your privacy center', 'You are signed in.', base, 'Reload', '', signOut),
    );
}

function linkPage(title: string, message: string, href: string, label: string, head = '', extra = ''): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${head}`,
    `<title>${escapeMarkup(title)}</title>${PAGE_STYLE}</head>`,
    '<body>',
    '<main>',
    `<h1>${escapeMarkup(title)}</h1>`,
    `<p>${escapeMarkup(message)}</p>`,
    `<p><a href="${escapeMarkup(href)}">${escapeMarkup(label)}</a></p>`,
    extra,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
