import { App } from '../../src/app';
import { ownerSql } from './app';
import { sameOrigin } from './account';
import { Browser } from './flow';

/** The privacy center's pages as a signed-in browser uses them (issue 22): read the overview, post its forms. */

/** The CSRF token of a center page's forms. */
export function csrfOf(html: string): string {
  const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('the page has no form with a CSRF token');
  return token;
}

/** GET the center's overview (or a page under it) in `browser`; throws unless it answers 200. */
export async function accountPage(app: App, browser: Browser, slug = 'acme', path = '', headers: Record<string, string> = {}) {
  const page = await browser.get(`${app.url}/c/${slug}/account${path}`, headers);
  if (page.status !== 200) throw new Error(`expected the page, got ${page.status}: ${page.body}`);
  return page;
}

/** POST a form of the center as the page would: the session's CSRF token (read from the overview) and same-origin headers. */
export async function postAccountForm(app: App, browser: Browser, path: string, fields: Array<[string, string]> = [], slug = 'acme') {
  const csrf = csrfOf((await accountPage(app, browser, slug)).body);
  return browser.postForm(`${app.url}/c/${slug}/account${path}`, [['csrf', csrf], ...fields], sameOrigin(app));
}

/** The person's privacy requests as stored, oldest first. */
export function privacyRequestRows(customerId: string) {
  return ownerSql(`select kind, status, details, export_id, deletion_request_id, profile_id from privacy_request where customer_id = ? order by received_at, id`, [customerId]);
}

/** A page without its cells' `data-label`s (the column names repeated for narrow screens), to match rows by their cells. */
export function cellsOf(html: string): string {
  return html.replace(/ data-label="[^"]*"/g, '');
}
