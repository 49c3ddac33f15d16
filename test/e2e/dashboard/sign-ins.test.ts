import { Browser, Page } from 'playwright-core';
import { DashboardTab, DashboardWorld, expectAccessible, launchBrowser, openDashboard, screenshot, startDashboardWorld } from '../../support/dashboard';
import { call } from '../../support/dashboard-ids';
import { waitUntil } from '../../support/wait';

/**
 * The overview charts and the sign-in pages (issue 21, items 3 and 5) in headless Chromium against
 * a live service filled by real sign-ins, as each role: what it sees, what it is not shown, and the
 * live list picking up a sign-in made during the test.
 */
const TIME_ZONE = 'Asia/Kolkata';

describe('dashboard: overview and sign-ins', () => {
  let world: DashboardWorld;
  let browser: Browser;
  const tabs: DashboardTab[] = [];

  beforeAll(async () => {
    [world, browser] = await Promise.all([startDashboardWorld(), launchBrowser()]);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await world?.stop();
  });
  afterEach(async () => {
    // Every page of every test: no CSP violation reported, then the tab is closed.
    for (const tab of tabs.splice(0)) {
      expect(tab.cspViolations).toEqual([]);
      await tab.context.close();
    }
  });

  const acme = () => world.customers.acme;
  const base = (customerId = acme().id) => `${world.baseUrl}/dashboard/c/${customerId}`;

  /** Signs in as `token`, collecting every GraphQL error the page's requests answer (there should be none). */
  async function open(token: string, width: 1280 | 390 = 1280, timezoneId?: string) {
    const tab = await openDashboard(browser, world, token, { width, ...(timezoneId ? { timezoneId } : {}) });
    tabs.push(tab);
    const apiErrors: string[] = [];
    tab.page.on('response', async (res) => {
      if (!res.url().endsWith('/dashboard/api/graphql')) return;
      const body = (await res.json().catch(() => null)) as { errors?: unknown[] } | null;
      if (body?.errors) apiErrors.push(JSON.stringify(body.errors));
    });
    return { page: tab.page, apiErrors };
  }

  /** The cells of the table at `selector`, row by row, as text (page code as a string: the tests' tsconfig has no DOM types). */
  const tableRows = (page: Page, selector: string) =>
    page.evaluate(
      `Array.from(document.querySelectorAll(${JSON.stringify(`${selector} tbody tr`)})).map((tr) => Array.from(tr.querySelectorAll('th, td')).map((c) => c.innerText.trim()))`,
    ) as Promise<string[][]>;

  const listRows = (page: Page) => tableRows(page, 'table.sign-ins-table');

  async function signInStats(range: string) {
    const res = await call<{ signInStats: { buckets: Array<Record<string, number | string>> } }>(
      world.baseUrl,
      world.tokens.admin,
      'query($c: ID!, $r: StatsRange!) { signInStats(customerId: $c, range: $r) { buckets { hourStart succeeded declined cancelled failed expired inProgress total } } }',
      { c: acme().id, r: range },
    );
    return res.signInStats.buckets;
  }

  /** The chart's table equivalent as {hourStart: [six outcomes, total]}, for the hours with sign-ins. */
  async function chartTable(page: Page) {
    const rows = (await page.evaluate(
      `Array.from(document.querySelectorAll('[data-testid="sign-in-stats-table"] tbody tr')).map((tr) => ({ hour: tr.getAttribute('data-hour'), label: tr.querySelector('th').innerText.trim(), cells: Array.from(tr.querySelectorAll('td')).map((td) => Number(td.textContent)) }))`,
    )) as Array<{ hour: string; label: string; cells: number[] }>;
    return { count: rows.length, first: rows[0], busy: Object.fromEntries(rows.filter((r) => r.cells[6]! > 0).map((r) => [r.hour, r.cells])) };
  }

  const asCells = (buckets: Array<Record<string, number | string>>) =>
    Object.fromEntries(buckets.filter((b) => Number(b.total) > 0).map((b) => [b.hourStart, ['succeeded', 'declined', 'cancelled', 'failed', 'expired', 'inProgress', 'total'].map((k) => Number(b[k]))]));

  it('charts the seeded sign-ins as the API counts them, switches 24 h / 7 d by keyboard, and shows the consent ratio (owner)', async () => {
    // A zone half an hour off UTC: the hours are labelled as the viewer's clock shows them.
    const { page, apiErrors } = await open(world.tokens.owner, 1280, TIME_ZONE);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByTestId('sign-in-chart').waitFor();
    const day = await signInStats('LAST_24_HOURS');
    const seeded = day.reduce((sum, b) => sum + Number(b.total), 0);
    expect(seeded).toBeGreaterThanOrEqual(8);
    expect(await page.getByTestId('headline-total').innerText()).toBe(String(seeded));
    await page.getByText('Show sign-ins per hour as a table').click();
    const shown = await chartTable(page);
    expect(shown.count).toBe(24);
    expect(shown.busy).toEqual(asCells(day));
    const inZone = new Intl.DateTimeFormat('en-US', { timeZone: TIME_ZONE, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
    expect(shown.first!.label).toBe(inZone.format(new Date(String(day[0]!.hourStart))));
    expect(shown.first!.label).toMatch(/:30 /);
    expect(await page.locator('footer').innerText()).toMatch(/Asia\/(Kolkata|Calcutta)/);
    // The SVG says what it is, and draws a bar segment per non-zero outcome of each busy hour.
    expect(await page.getByRole('img', { name: /Sign-ins per hour by outcome, the last 24 hours/ }).count()).toBe(1);
    const segments = Object.values(asCells(day)).reduce((n, cells) => n + cells.slice(0, 6).filter((c) => c > 0).length, 0);
    expect(await page.locator('[data-testid="sign-in-chart"] rect').count()).toBe(segments);

    // The consent chart: acme's approvals (alice and bob at the shop, alice at the forum) against bob's denial.
    const { consentStats } = await call<{ consentStats: { approved: number; denied: number; rememberedDecisions: number } }>(
      world.baseUrl,
      world.tokens.admin,
      'query($c: ID!) { consentStats(customerId: $c, range: LAST_24_HOURS) { approved denied rememberedDecisions } }',
      { c: acme().id },
    );
    // At least alice and bob at the shop (remembered) and alice at the forum, against bob's denial.
    expect(consentStats.approved).toBeGreaterThanOrEqual(3);
    expect(consentStats.denied).toBeGreaterThanOrEqual(1);
    expect(consentStats.rememberedDecisions).toBeGreaterThanOrEqual(2);
    const answered = consentStats.approved + consentStats.denied;
    const share = (n: number) => `${Math.round((n / answered) * 100)} %`;
    await page.getByText('Show consent decisions as a table').click();
    expect(await tableRows(page, '[data-testid="consent-stats-table"]')).toEqual([
      ['Approved', String(consentStats.approved), share(consentStats.approved)],
      ['Denied', String(consentStats.denied), share(consentStats.denied)],
      ['Approved and remembered', String(consentStats.rememberedDecisions), share(consentStats.rememberedDecisions)],
    ]);
    await expectAccessible(page, 'overview, 24 hours');
    await screenshot(page, 'sign-ins-overview-owner');

    // By keyboard: from the focused radio group, an arrow key moves to 7 days, and the charts follow.
    await page.getByRole('radio', { name: 'Last 24 hours' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: 'Last 7 days' }).isChecked()).toBe(true);
    await page.getByRole('img', { name: /the last 7 days/ }).first().waitFor();
    await waitUntil('the 7-day table', async () => (await page.locator('[data-testid="sign-in-stats-table"] tbody tr').count()) === 168);
    expect((await chartTable(page)).busy).toEqual(asCells(await signInStats('LAST_7_DAYS')));
    await expectAccessible(page, 'overview, 7 days');
    await screenshot(page, 'sign-ins-overview-7d-owner');
    expect(apiErrors).toEqual([]);
  }, 120_000);

  it.each([
    ['auditor', false],
    ['viewer', false],
    ['support', true],
  ] as const)('shows the consent chart to %s only with consents:read (else a note), never an API error', async (role, hasConsents) => {
    const { page, apiErrors } = await open(world.tokens[role]);
    await page.getByTestId('sign-in-chart').waitFor();
    const note = page.getByRole('note').filter({ hasText: 'does not include consent decisions' });
    if (hasConsents) await page.getByTestId('consent-chart').waitFor();
    else await note.waitFor();
    expect(await page.getByTestId('consent-chart').count()).toBe(hasConsents ? 1 : 0);
    expect(await note.count()).toBe(hasConsents ? 0 : 1);
    await screenshot(page, `sign-ins-overview-${role}`);
    expect(apiErrors).toEqual([]);
  }, 60_000);

  it('filters the list by status, outcome and username, newest first, each row linking to its detail (admin)', async () => {
    const { page, apiErrors } = await open(world.tokens.admin);
    await page.goto(`${base()}/sign-ins`);
    await page.locator('table.sign-ins-table tbody tr').first().waitFor();
    const all = await listRows(page);
    expect(all.some((r) => r.includes('alice'))).toBe(true);
    expect(all.some((r) => r.includes('bob'))).toBe(true);
    expect(all.flat().join(' ')).not.toContain('globex-only-user');
    await expectAccessible(page, 'sign-ins list (admin)');
    await screenshot(page, 'sign-ins-list-admin');

    const apply = async (label: string, value: string, expected: (row: string[]) => boolean) => {
      const filter = page.getByLabel(label, { exact: true });
      if ((await filter.evaluate((el) => el.tagName)) === 'SELECT') await filter.selectOption(value);
      else await filter.fill(value);
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await waitUntil(`the list filtered by ${label} ${value}`, async () => {
        const rows = await listRows(page);
        return rows.length > 0 && rows.length < all.length && rows.every(expected);
      });
      const rows = await listRows(page);
      await page.getByRole('button', { name: 'Clear' }).click();
      await waitUntil('the whole list again', async () => (await listRows(page)).length === all.length);
      return rows;
    };
    expect(await apply('Status', 'EXPIRED', (r) => r[1] === 'Expired')).toHaveLength(1);
    expect((await apply('Outcome', 'cancel', (r) => r[2] === 'Cancel sent (cancel)')).length).toBe(2);
    const bobs = await apply('Username (exact)', 'bob', (r) => r[4] === 'bob');
    expect(bobs.length).toBeGreaterThanOrEqual(3);

    // The filter is kept in the address: a link to it opens it filtered.
    await page.goto(`${base()}/sign-ins?outcome=id_res`);
    await waitUntil('the id_res rows', async () => {
      const rows = await listRows(page);
      return rows.length > 0 && rows.every((r) => r[2] === 'Identity sent (id_res)');
    });
    await page.locator('table.sign-ins-table tbody tr').first().getByRole('link').click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    expect(page.url()).toMatch(/\/sign-ins\/[0-9a-f-]{36}$/);
    expect(apiErrors).toEqual([]);
  }, 120_000);

  it('shows a new sign-in in the live list without a reload, and asks nothing while paused (support)', async () => {
    const { page, apiErrors } = await open(world.tokens.support);
    // A clock of the test's own, running at the natural pace until the test runs it ahead; the page's timers are all on it.
    await page.clock.install();
    await page.goto(`${base()}/sign-ins`);
    await page.locator('table.sign-ins-table tbody tr').first().waitFor();
    const before = await page.locator('table.sign-ins-table tbody tr').first().getAttribute('data-id');
    await page.evaluate('window.__sameDocument = true');
    await world.signIn('shop', world.users.alice);
    await waitUntil('the new sign-in at the top of the live list', async () => {
      const first = await page.locator('table.sign-ins-table tbody tr').first().getAttribute('data-id');
      return first !== before && (await listRows(page))[0]![4] === 'alice';
    }, { timeoutMs: 25_000, intervalMs: 250 });
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(await page.getByTestId('updated-at').innerText()).toMatch(/^Updated at .* · refreshes every 10 s$/);

    // Paused, it says so and asks nothing, even with the clock run well past the interval.
    await page.getByRole('button', { name: 'Pause live updates' }).click();
    expect(await page.getByRole('button', { name: 'Resume live updates' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('updated-at').innerText()).toMatch(/· paused$/);
    const newest = await page.locator('table.sign-ins-table tbody tr').first().getAttribute('data-id');
    const listAsks: string[] = [];
    page.on('request', (req) => {
      if (req.url().endsWith('/dashboard/api/graphql') && (req.postData() ?? '').includes('DashboardAuthRequests')) listAsks.push(req.url());
    });
    await world.signIn('shop', world.users.bob);
    await page.clock.runFor(35_000);
    expect(listAsks).toEqual([]);
    expect(await page.locator('table.sign-ins-table tbody tr').first().getAttribute('data-id')).toBe(newest);

    // Resumed, it asks at once and shows the sign-in made meanwhile; then again every interval.
    await page.getByRole('button', { name: 'Resume live updates' }).click();
    await waitUntil('the sign-in made while paused', async () => (await listRows(page))[0]![4] === 'bob' && (await page.locator('table.sign-ins-table tbody tr').first().getAttribute('data-id')) !== newest, { timeoutMs: 5_000 });
    const afterResume = listAsks.length;
    expect(afterResume).toBeGreaterThan(0);
    await world.signIn('shop', world.users.alice);
    await page.clock.runFor(10_000);
    await waitUntil('the next interval\'s sign-in', async () => (await listRows(page))[0]![4] === 'alice', { timeoutMs: 5_000 });
    expect(listAsks.length).toBeGreaterThan(afterResume);
    expect(apiErrors).toEqual([]);
  }, 120_000);

  it.each([
    ['cancelledAuthRequest', 'cancel'],
    ['deniedAuthRequest', 'cancel'],
    ['expiredAuthRequest', null],
  ] as const)('shows why %s failed and its timeline (admin)', async (which, outcome) => {
    const id = world.ids[which];
    const { authRequest } = await call<{ authRequest: { failureReason: string; timeline: Array<{ event: string }> } }>(
      world.baseUrl,
      world.tokens.admin,
      'query($id: ID!) { authRequest(id: $id) { failureReason timeline { event } } }',
      { id },
    );
    expect(authRequest.failureReason).toBeTruthy();
    const { page, apiErrors } = await open(world.tokens.admin);
    await page.goto(`${base()}/sign-ins/${id}`);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    const reason = authRequest.failureReason.charAt(0).toUpperCase() + authRequest.failureReason.slice(1);
    expect(await page.getByTestId('failure-reason').innerText()).toContain(reason);
    const steps = await tableRows(page, '[data-testid="timeline"]');
    expect(steps.map((s) => s[1]!.match(/\(([A-Z_]+)\)$/)?.[1])).toEqual(authRequest.timeline.map((t) => t.event));
    expect(await page.locator('dl.details').innerText()).toContain(outcome ? `(${outcome})` : 'None yet');
    if (which === 'deniedAuthRequest') expect(await page.locator('dl.details').innerText()).toMatch(/Username\s+bob/);
    await expectAccessible(page, `sign-in detail ${which}`);
    await screenshot(page, `sign-ins-detail-${which.replace('AuthRequest', '')}-admin`);
    expect(apiErrors).toEqual([]);
  }, 60_000);

  it.each(['auditor', 'viewer'] as const)('leaves out usernames and realms for %s, with a note, and offers no username filter', async (role) => {
    const { page, apiErrors } = await open(world.tokens[role]);
    await page.goto(`${base()}/sign-ins?username=alice`);
    await page.locator('table.sign-ins-table tbody tr').first().waitFor();
    const headers = await page.locator('table.sign-ins-table thead th').allInnerTexts();
    expect(headers).toEqual(['Started', 'Status', 'Outcome', 'Protocol', 'Failure reason']);
    expect(await page.getByLabel('Username (exact)').count()).toBe(0);
    expect(await page.getByLabel('Realm (exact)').count()).toBe(0);
    await page.getByRole('note').filter({ hasText: 'usernames and realms are left out' }).waitFor();
    // ?username= from a shared link does not filter (nor ask the API) for a role without it: every row is listed.
    const text = await page.locator('main').innerText();
    for (const name of ['alice', 'bob', 'globex-only-user', world.sites.shopRpUrl]) expect(text).not.toContain(name);
    await expectAccessible(page, `sign-ins list (${role})`);
    await screenshot(page, `sign-ins-list-${role}`);

    await page.goto(`${base()}/sign-ins/${world.ids.deniedAuthRequest}`);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    const terms = await page.locator('dl.details dt').allInnerTexts();
    expect(terms).toEqual(expect.arrayContaining(['Status', 'Outcome', 'Fields requested', 'Started']));
    for (const left of ['Username', 'Realm', 'Return URL', 'Fields released']) expect(terms).not.toContain(left);
    expect(await page.locator('main').innerText()).not.toContain('bob');
    await page.getByRole('note').filter({ hasText: 'username, realm, return URL and released fields are left out' }).waitFor();
    await screenshot(page, `sign-ins-detail-${role}`);
    expect(apiErrors).toEqual([]);
  }, 60_000);

  it('never shows a globex sign-in to acme tokens; the platform owner sees each customer apart', async () => {
    const { authRequests } = await call<{ authRequests: { nodes: Array<{ id: string }> } }>(
      world.baseUrl,
      world.tokens.platformOwner,
      'query($c: ID!) { authRequests(first: 10, filter: { customerId: $c }) { nodes { id } } }',
      { c: world.customers.globex.id },
    );
    const globexRequest = authRequests.nodes[0]!.id;
    const { page } = await open(world.tokens.owner);
    await page.goto(`${base()}/sign-ins/${globexRequest}`);
    await page.getByText('There is no such sign-in for this customer').waitFor();
    await page.goto(`${base(world.customers.globex.id)}/sign-ins`);
    await page.getByText(/No sign-ins match|Nothing was found/).first().waitFor();
    expect(await page.locator('main').innerText()).not.toContain('globex-only-user');

    const platform = await open(world.tokens.platformOwner);
    await platform.page.goto(`${base(world.customers.globex.id)}/sign-ins`);
    await platform.page.locator('table.sign-ins-table tbody tr').first().waitFor();
    expect((await listRows(platform.page)).map((r) => r[4])).toEqual(['globex-only-user']);
    await platform.page.goto(`${base()}/sign-ins`);
    await waitUntil('acme rows', async () => (await listRows(platform.page)).some((r) => r[4] === 'alice'));
    expect(await platform.page.locator('main').innerText()).not.toContain('globex-only-user');
    expect(platform.apiErrors).toEqual([]);
  }, 60_000);

  it('works at 390 px: filters stack, the table scrolls, nothing is cut off (support)', async () => {
    const { page, apiErrors } = await open(world.tokens.support, 390);
    await page.goto(`${base()}/sign-ins`);
    await page.locator('table.sign-ins-table tbody tr').first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await expectAccessible(page, 'sign-ins list at 390 px');
    await screenshot(page, 'sign-ins-list-390');
    await page.goto(base());
    await page.getByTestId('sign-in-chart').waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await expectAccessible(page, 'overview at 390 px');
    await screenshot(page, 'sign-ins-overview-390');
    expect(apiErrors).toEqual([]);
  }, 60_000);
});
