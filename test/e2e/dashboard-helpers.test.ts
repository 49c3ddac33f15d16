import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Browser } from 'playwright-core';
import { ACME_PERSONAL_VALUES, expectNoneShown, GLOBEX_VALUES, recordGraphql } from '../support/dashboard-assertions';
import { expectAccessible, launchBrowser, openDashboard, openTab, screenshot, scriptReadableState } from '../support/dashboard-browser';
import { waitUntil } from '../support/wait';

const TOKEN = `ops_${'t'.repeat(43)}`;
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The dashboard test helpers (test/support/dashboard-browser.ts) against a stand-in dashboard on
 * loopback, with a strict CSP like the real one's: sign-in, CSP reports, axe-core and screenshots
 * each shown to fail when they should. The real dashboard's pages are tested with them elsewhere.
 */
describe('the dashboard browser helpers', () => {
  let server: Server;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    server = createServer(standIn);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
  });

  it('signs in through the form and waits for the main navigation, with no CSP violation and nothing script-readable', async () => {
    const { context, page, cspViolations } = await openDashboard(browser, { baseUrl: url }, TOKEN, { width: 390, timezoneId: 'Asia/Tokyo' });
    try {
      expect(await page.locator('h1').innerText()).toBe('Overview');
      expect(page.viewportSize()).toEqual({ width: 390, height: 844 });
      expect(await page.evaluate('Intl.DateTimeFormat().resolvedOptions().timeZone')).toBe('Asia/Tokyo');
      expect(await scriptReadableState(page)).not.toContain(TOKEN);
      expect(await scriptReadableState(page)).toBe('{"cookie":"","local":[],"session":[]}');
      await expectAccessible(page, 'the stand-in overview');
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('refuses a token field that shows what is typed', async () => {
    await expect(openDashboard(browser, { baseUrl: `${url}/visible-token` }, TOKEN)).rejects.toThrow('the "Operator token" input is type "text", not password');
  }, 60_000);

  it('fails with what the page shows when sign-in does not lead to the main navigation', async () => {
    await expect(openDashboard(browser, { baseUrl: url }, 'wrong', { stepTimeoutMs: 5000 })).rejects.toThrow(/expected the main navigation after sign-in, but the browser is at .*\/dashboard\/session showing:\n[\s\S]*That token was not accepted/);
  }, 60_000);

  it('collects the CSP violations the page reports', async () => {
    const { context, page, cspViolations } = await openTab(browser);
    try {
      await page.goto(`${url}/inline-script`);
      await waitUntil('the inline script to be reported', () => cspViolations.some((v) => v.startsWith('script-src')));
    } finally {
      await context.close();
    }
  }, 60_000);

  it('fails an inaccessible page, naming each rule and element', async () => {
    const { context, page } = await openTab(browser);
    try {
      await page.goto(`${url}/inaccessible`);
      const failure = await expectAccessible(page, 'the broken page').then(() => null, (err: Error) => err.message);
      expect(failure).toContain('the broken page: 2 accessibility rule(s) violated');
      expect(failure).toMatch(/image-alt \(critical\): .*\n {4}img:/);
      expect(failure).toMatch(/label \(critical\): .*\n {4}#unlabelled:/);
      // The same page passes with the offending elements left out.
      await expectAccessible(page, 'the broken page without them', { exclude: ['img', '#unlabelled'] });
    } finally {
      await context.close();
    }
  }, 60_000);

  it('records the GraphQL calls with their request ids and errors, and finds personal values anywhere in the document', async () => {
    const { context, page, cspViolations } = await openTab(browser);
    try {
      const calls = recordGraphql(page);
      await page.goto(`${url}/app`);
      await waitUntil("the stand-in app's call to be recorded", () => calls.length === 1);
      expect(calls).toEqual([{ operationName: 'Overview', status: 200, requestId: 'req-123', errors: [{ path: 'me.email', code: 'FORBIDDEN' }] }]);
      await page.getByText('Failed (request req-123)').waitFor();
      // In an attribute, in other letter case: still found; "bob" inside a token is not a name.
      await expect(expectNoneShown(page, ACME_PERSONAL_VALUES, 'the auditor overview')).rejects.toThrow(`the auditor overview: the page at ${url}/app contains "alice", "alice@example.org"`);
      await expectNoneShown(page, ['bob'], 'the auditor overview');
      await expectNoneShown(page, GLOBEX_VALUES, 'the auditor overview');
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('saves full-page PNG screenshots under test-output/dashboard, and refuses a name that would leave it', async () => {
    const { context, page } = await openTab(browser);
    try {
      await page.goto(`${url}/inaccessible`);
      const path = await screenshot(page, 'helpers-self-test');
      try {
        expect(path).toMatch(/test-output\/dashboard\/helpers-self-test\.png$/);
        expect(readFileSync(path).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      } finally {
        rmSync(path, { force: true });
      }
      await expect(screenshot(page, '../escape')).rejects.toThrow('screenshot names are lower-case letters, digits and dashes');
      expect(existsSync(path.replace('helpers-self-test', '../escape'))).toBe(false);
    } finally {
      await context.close();
    }
  }, 60_000);
});

/** The stand-in app's one script: a GraphQL call whose failure it shows with the request id. */
const APP_JS = `fetch('/dashboard/api/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operationName: 'Overview', query: 'query Overview { me { email } }' }) })
  .then((res) => { document.getElementById('out').textContent = 'Failed (request ' + res.headers.get('x-request-id') + ')'; });`;

/** The stand-in: a no-script sign-in form and overview like the dashboard's, and two broken pages. */
function standIn(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url!, 'http://x').pathname;
  const page = (status: number, title: string, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP, ...headers });
    res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`);
  };
  const form = (type: string, error = '') =>
    `<main><h1>Sign in</h1>${error}<form method="post" action="session"><label for="t">Operator token</label><input id="t" name="token" type="${type}" autocomplete="off"><button type="submit">Sign in</button></form></main>`;
  if (req.method === 'POST' && path.endsWith('/dashboard/session')) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const token = new URLSearchParams(Buffer.concat(chunks).toString()).get('token');
      if (token !== TOKEN) return page(401, 'Sign in', form('password', '<p role="alert">That token was not accepted.</p>'));
      res.writeHead(303, { location: './', 'set-cookie': 'stand_in_session=1; HttpOnly; SameSite=Strict; Path=/' });
      res.end();
    });
    return;
  }
  if (path === '/dashboard/') {
    if (req.headers.cookie?.includes('stand_in_session=1')) {
      return page(200, 'Overview', '<header><nav aria-label="Main"><ul><li><a href="./">Overview</a></li></ul></nav></header><main><h1>Overview</h1></main>');
    }
    return page(200, 'Sign in', form('password'));
  }
  if (path === '/visible-token/dashboard/') return page(200, 'Sign in', form('text'));
  if (path === '/app') return page(200, 'App', '<main><h1>App</h1><p id="out">Loading</p><span data-owner="Alice@Example.org" data-token="x9Bob7Q-bob_"></span><script src="/app.js"></script></main>');
  if (path === '/app.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(APP_JS);
    return;
  }
  if (path === '/dashboard/api/graphql' && req.method === 'POST') {
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-123' });
    res.end(JSON.stringify({ data: { me: { email: null } }, errors: [{ message: 'needs profile.email', path: ['me', 'email'], extensions: { code: 'FORBIDDEN' } }] }));
    return;
  }
  if (path === '/inline-script') return page(200, 'Inline', '<main><h1>Inline</h1><script>document.title = "ran";</script></main>');
  if (path === '/inaccessible') return page(200, 'Broken', '<main><h1>Broken</h1><img src="/none.png"><input id="unlabelled" type="text"></main>');
  page(404, 'Not found', '<main><h1>Not found</h1></main>');
}
