import { Browser, Page } from 'playwright-core';
import { App } from '../../../src/app';
import { createTestCustomer, resetDatabase, startPublicTestApp } from '../../support/app';
import { DashboardTab, expectAccessible, launchBrowser, mainNavigation, openDashboard, openTab, screenshot, scriptReadableState, signInThroughForm } from '../../support/dashboard';
import { graphql } from '../../support/graphql';
import { operatorToken } from '../../support/operators';
import { testQueuePrefix } from '../../support/env';

type Role = 'OWNER' | 'ADMIN' | 'SUPPORT' | 'AUDITOR' | 'VIEWER';

const GRAPHQL_LIMIT = 30;

/** The main navigation each customer-bound role gets on its customer's pages: what it may use, nothing more. */
const LINKS: Record<Role, string[]> = {
  OWNER: ['Overview', 'Sign-ins', 'Profiles', 'Audit', 'Webhooks', 'Settings', 'Operator tokens'],
  ADMIN: ['Overview', 'Sign-ins', 'Profiles', 'Audit', 'Webhooks', 'Settings'],
  SUPPORT: ['Overview', 'Sign-ins', 'Profiles', 'Settings'],
  AUDITOR: ['Overview', 'Sign-ins', 'Audit', 'Settings'],
  VIEWER: ['Overview', 'Sign-ins', 'Settings'],
};

/**
 * The dashboard's sign-in and session (issue 21, item 2) in headless Chromium: a token is pasted
 * once and traded for an HttpOnly session the page cannot read; each role lands on its own pages
 * with only its links; a wrong token is refused in words; signing out and revoking the token both
 * end the session. The pages themselves: the other files of this folder.
 */
describe('dashboard: sign-in and session', () => {
  let app: App;
  let baseUrl: string;
  let browser: Browser;
  let acme: { id: string };
  const tokens = {} as Record<Role, string>;
  let platformOwner: string;
  const tabs: DashboardTab[] = [];

  beforeAll(async () => {
    await resetDatabase();
    app = await startPublicTestApp({
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      QUEUE_PREFIX: `${testQueuePrefix()}-dash-session-${Date.now()}`,
      // Per operator token: each test's token stays far below it, but one test runs into it.
      RATE_LIMIT_GRAPHQL_PER_TOKEN: String(GRAPHQL_LIMIT),
      RATE_LIMIT_WINDOW_SECONDS: '3600',
    });
    baseUrl = new URL(app.config.PUBLIC_URL).origin;
    acme = (await createTestCustomer(app, 'acme')).customer;
    for (const role of Object.keys(LINKS) as Role[]) tokens[role] = await operatorToken(app, role, acme.id);
    platformOwner = await operatorToken(app, 'OWNER', null);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });
  afterEach(async () => {
    const violations = tabs.flatMap((tab) => tab.cspViolations);
    for (const tab of tabs.splice(0)) await tab.context.close();
    expect(violations).toEqual([]);
  });

  const linkNames = (page: Page) => mainNavigation(page).getByRole('link').allInnerTexts();

  it('shows an accessible sign-in form and refuses a wrong token in words, keeping nothing', async () => {
    for (const width of [1280, 390] as const) {
      const tab = await openTab(browser, { width });
      tabs.push(tab);
      await tab.page.goto(`${baseUrl}/dashboard/`);
      await tab.page.getByLabel('Operator token', { exact: true }).waitFor();
      await expectAccessible(tab.page, `sign-in form at ${width} px`);
      await screenshot(tab.page, `session-sign-in-${width}`);
    }
    const page = tabs[0]!.page;
    await page.getByLabel('Operator token', { exact: true }).fill(`ops_${'x'.repeat(40)}`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('That token was not accepted.');
    // The field is emptied and focused for another try; nothing readable by script was kept.
    expect(await page.getByLabel('Operator token', { exact: true }).inputValue()).toBe('');
    expect(JSON.parse(await scriptReadableState(page))).toEqual({ cookie: '', local: [], session: [] });
    await expectAccessible(page, 'sign-in form with its error');
    await screenshot(page, 'session-sign-in-refused');
    // An empty form says what to do without asking the service.
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    expect(await page.getByRole('alert').innerText()).toContain('Paste an operator token first.');
  });

  it.each(Object.keys(LINKS) as Role[])('lands a customer-bound %s on its customer with only the links its role may use', async (role) => {
    const tab = await openDashboard(browser, { baseUrl }, tokens[role]);
    tabs.push(tab);
    await tab.page.waitForURL(`${baseUrl}/dashboard/c/${acme.id}`);
    expect(await linkNames(tab.page)).toEqual(LINKS[role]);
    // The token is nowhere a script could read it: the session is an HttpOnly cookie.
    const state = await scriptReadableState(tab.page);
    expect(state).not.toContain(tokens[role]);
    expect(state).not.toContain('ids_dashboard_session');
    const cookies = await tab.context.cookies();
    const session = cookies.find((c) => c.name === 'ids_dashboard_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/dashboard' });
    expect(session!.expires).toBeGreaterThan(Date.now() / 1000);
    // The header says who is signed in, by the token's name and role, never by the token.
    expect(await tab.page.locator('header').innerText()).toContain(role.toLowerCase());
    expect(await tab.page.content()).not.toContain(tokens[role]);
  });

  it('lands a platform-wide owner on the customer list, with its links', async () => {
    const tab = await openDashboard(browser, { baseUrl }, platformOwner);
    tabs.push(tab);
    await tab.page.waitForURL(`${baseUrl}/dashboard/customers`);
    expect(await linkNames(tab.page)).toEqual(['Customers', 'Operator tokens']);
    await tab.page.goto(`${baseUrl}/dashboard/c/${acme.id}`);
    await mainNavigation(tab.page).waitFor();
    expect(await linkNames(tab.page)).toEqual(['Customers', 'Overview', 'Sign-ins', 'Profiles', 'Audit', 'Webhooks', 'OAuth clients', 'Settings', 'Operator tokens']);
  });

  it('keeps the session across a reload, and signing out ends it on the service too', async () => {
    const tab = await openDashboard(browser, { baseUrl }, tokens.ADMIN);
    tabs.push(tab);
    await tab.page.reload();
    await mainNavigation(tab.page).waitFor();
    const [before] = (await tab.context.cookies()).filter((c) => c.name === 'ids_dashboard_session');
    await tab.page.getByRole('button', { name: 'Sign out' }).click();
    await tab.page.getByRole('status').filter({ hasText: 'You have signed out.' }).waitFor();
    await tab.page.getByLabel('Operator token', { exact: true }).waitFor();
    // The old cookie, replayed, no longer opens a session: sign-out revoked it on the service.
    const replay = await fetch(`${baseUrl}/dashboard/api/session`, { headers: { cookie: `ids_dashboard_session=${before!.value}` } });
    expect(replay.status).toBe(401);
    await tab.page.reload();
    await tab.page.getByLabel('Operator token', { exact: true }).waitFor();
  });

  it('returns to the sign-in form, saying why, once the token is revoked', async () => {
    const token = await operatorToken(app, 'SUPPORT', acme.id);
    const tab = await openDashboard(browser, { baseUrl }, token);
    tabs.push(tab);
    const me = await graphql<{ me: { id: string } }>(baseUrl, '{ me { id } }', {}, token);
    const revoked = await graphql(baseUrl, 'mutation($id: ID!) { revokeOperatorToken(id: $id) { operatorToken { id } } }', { id: me.data!.me.id }, platformOwner);
    expect(revoked.errors).toBeUndefined();
    // The next request the page makes is refused, and the page says so instead of showing errors.
    await mainNavigation(tab.page).getByRole('link', { name: 'Settings', exact: true }).click();
    await tab.page.getByRole('status').filter({ hasText: 'Your session has ended. Sign in again.' }).waitFor();
    await tab.page.getByLabel('Operator token', { exact: true }).waitFor();
    await signInThroughForm(tab.page, tokens.VIEWER);
    expect(await linkNames(tab.page)).toEqual(LINKS.VIEWER);
  });

  it('says in words, with the request id, when the session has sent too many requests', async () => {
    const tab = await openDashboard(browser, { baseUrl }, await operatorToken(app, 'VIEWER', acme.id));
    tabs.push(tab);
    const cookie = (await tab.context.cookies()).find((c) => c.name === 'ids_dashboard_session')!;
    const headers = { cookie: `ids_dashboard_session=${cookie.value}`, origin: baseUrl };
    const { csrfToken } = (await (await fetch(`${baseUrl}/dashboard/api/session`, { headers })).json()) as { csrfToken: string };
    // Spend the rest of this token's allowance as the page would, then let the page ask once more.
    let status = 0;
    for (let i = 0; i <= GRAPHQL_LIMIT && status !== 429; i++) {
      const res = await fetch(`${baseUrl}/dashboard/api/graphql`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'x-csrf-token': csrfToken },
        body: JSON.stringify({ query: '{ me { id } }' }),
      });
      status = res.status;
      await res.arrayBuffer();
    }
    expect(status).toBe(429);
    await mainNavigation(tab.page).getByRole('link', { name: 'Settings', exact: true }).click();
    const alert = tab.page.getByRole('alert');
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).toMatch(/Too many requests from this session: try again in \d+ seconds?\./);
    expect(text).toMatch(/Request id [0-9a-f-]{36}/);
    await screenshot(tab.page, 'session-rate-limited');
  });
});
