import { Browser, Page } from 'playwright-core';
import { inContext } from '../../support/app';
import { graphql } from '../../support/graphql';
import {
  DashboardTab,
  DashboardWorld,
  ACME_PERSONAL_VALUES,
  expectAccessible,
  expectNoneShown,
  GLOBEX_VALUES,
  launchBrowser,
  mainNavigation,
  openDashboard,
  openTab,
  screenshot,
  startDashboardWorld,
  type DashboardWidth,
} from '../../support/dashboard';

type Role = 'platformOwner' | 'owner' | 'admin' | 'support' | 'auditor' | 'viewer';

const SETTINGS_FIELDS = 'id name slug region homeUrl verifyUrl promptPolicy returnToVerification trustedRealms profileRetentionDays updatedAt';
interface Settings {
  id: string;
  name: string;
  verifyUrl: string;
  trustedRealms: string[];
  profileRetentionDays: number | null;
  updatedAt: string;
}

/**
 * The customers, settings, OAuth clients and operator tokens pages (issue 21, item 3) in headless
 * Chromium against a live service filled by real sign-ins: what each role sees and cannot do,
 * configuration edits (the API's messages at the field, nothing changed on a refusal), API key
 * rotation with its grace period, OAuth clients, and operator tokens that sign in and stop working.
 */
describe('dashboard: customers, settings, OAuth clients, operator tokens', () => {
  let world: DashboardWorld;
  let browser: Browser;
  const tabs: DashboardTab[] = [];

  beforeAll(async () => {
    world = await startDashboardWorld();
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await world?.stop();
  });
  afterEach(async () => {
    // No page of this area may trip the Content-Security-Policy, whatever the role.
    const violations = tabs.flatMap((tab) => tab.cspViolations);
    for (const tab of tabs.splice(0)) await tab.context.close();
    expect(violations).toEqual([]);
  });

  async function open(token: string, width: DashboardWidth = 1280): Promise<Page> {
    const tab = await openDashboard(browser, world, token, { width });
    tabs.push(tab);
    return tab.page;
  }
  const as = (role: Role, width: DashboardWidth = 1280) => open(world.tokens[role], width);

  /** Opens a dashboard address directly (a reload: the session cookie carries over) and waits for its heading. */
  async function go(page: Page, path: string, heading: string): Promise<void> {
    await page.goto(`${world.baseUrl}/dashboard${path}`);
    await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
  }

  const acme = (rest = '') => `/c/${world.customers.acme.id}${rest}`;
  const navLink = (page: Page, name: string) => mainNavigation(page).getByRole('link', { name, exact: true });
  const roleNote = (page: Page) => page.locator('main').getByRole('note');
  const shownOnce = (page: Page) => page.getByTestId('shown-once');
  const realmInput = (page: Page, n: number) => page.getByRole('textbox', { name: `Trusted realm ${n}`, exact: true });
  const tokensTable = (page: Page) => page.getByRole('table', { name: 'Operator tokens, oldest first' });

  async function call<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await graphql<T>(world.baseUrl, query, variables, token);
    if (res.errors || !res.data) throw new Error(JSON.stringify(res.errors));
    return res.data;
  }
  const acmeSettings = async () =>
    (await call<{ customer: Settings }>(world.tokens.admin, `query($id: ID!) { customer(id: $id) { ${SETTINGS_FIELDS} } }`, { id: world.customers.acme.id })).customer;

  async function tokenGrant(clientId: string, clientSecret: string): Promise<number> {
    const res = await fetch(`${world.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
    });
    return res.status;
  }

  it.each(['viewer', 'auditor', 'support'] as const)('shows a %s the settings read-only, with no rotation, OAuth clients, tokens or customer list', async (role) => {
    const page = await as(role);
    for (const hidden of ['Customers', 'OAuth clients', 'Operator tokens']) expect(await navLink(page, hidden).count()).toBe(0);
    await navLink(page, 'Settings').click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.getByRole('heading', { name: 'Configuration' }).waitFor();
    const main = await page.locator('main').innerText();
    expect(main).toContain('Acme Corporation');
    expect(main).toContain(`${world.sites.awUrl}/verify`);
    expect(await page.getByRole('list', { name: 'Trusted realms' }).getByRole('listitem').allInnerTexts()).toEqual([`${world.sites.shopRpUrl}/`, `${world.sites.forumRpUrl}/`]);
    expect(await roleNote(page).innerText()).toContain('may read this configuration but not change it or rotate the API key');
    expect(await page.getByRole('button', { name: 'Edit configuration' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Rotate API key/ }).count()).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    // Configuration only: no person's value anywhere in the document.
    await expectNoneShown(page, [...ACME_PERSONAL_VALUES, ...GLOBEX_VALUES], `settings (${role})`);
    await expectAccessible(page, `settings (${role})`);
    await screenshot(page, `customers-settings-${role}`);

    // By address: a note, not an error, and none of what the pages would show.
    await go(page, '/operator-tokens', 'Operator tokens');
    expect(await roleNote(page).innerText()).toContain(`Your role (${role}) does not include operator tokens`);
    expect(await tokensTable(page).count()).toBe(0);
    await go(page, acme('/oauth-clients'), 'OAuth clients');
    expect(await roleNote(page).innerText()).toContain('does not include oauth clients');
    await go(page, '/customers', 'Customers');
    expect(await roleNote(page).innerText()).toContain('bound to one customer');
    expect(await page.getByRole('table').count()).toBe(0);
  }, 90_000);

  it("shows an acme admin nothing of globex's configuration by address", async () => {
    const page = await as('admin');
    await go(page, `/c/${world.customers.globex.id}/settings`, 'Settings');
    await page.getByText('There is no customer with this id that your token may see.').waitFor();
    expect(await page.locator('body').innerText()).not.toContain('Globex');
    expect(await page.content()).not.toContain(world.sites.globexRpUrl);
    await expectNoneShown(page, GLOBEX_VALUES, "globex's settings (acme admin)");
    expect(await page.getByRole('button', { name: 'Edit configuration' }).count()).toBe(0);
  }, 60_000);

  it("refuses an admin's invalid edit with the API's message at the field, and changes nothing", async () => {
    const before = await acmeSettings();
    const page = await as('admin');
    for (const hidden of ['Customers', 'OAuth clients', 'Operator tokens']) expect(await navLink(page, hidden).count()).toBe(0);
    await go(page, acme('/settings'), 'Settings');
    await page.getByRole('button', { name: 'Edit configuration' }).click();
    const verifyUrl = page.getByLabel('AW login page (verify URL)');
    // Focus moves into the form it opened.
    expect(await page.getByLabel('Name', { exact: true }).evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await verifyUrl.fill('ftp://login.acme.example/verify');
    await page.getByRole('button', { name: 'Save configuration' }).click();

    // The same change through the API: the page shows its very message, next to the verify URL.
    const refused = await graphql(world.baseUrl, 'mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) { customer { id } } }', { id: before.id, i: { verifyUrl: 'ftp://login.acme.example/verify' } }, world.tokens.admin);
    const apiMessage = refused.errors![0]!.message;
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'verifyUrl' });
    const describedBy = await verifyUrl.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${describedBy}"]`).innerText()).toBe(apiMessage);
    expect(await verifyUrl.getAttribute('aria-invalid')).toBe('true');
    expect(await verifyUrl.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    const alert = await page.getByRole('alert').innerText();
    expect(alert).toContain(apiMessage);
    expect(alert).toMatch(/Code BAD_USER_INPUT\. Request id \S+\./);
    await expectAccessible(page, 'settings edit with an error (admin)');
    await screenshot(page, 'customers-settings-edit-error-admin');

    // A bad realm row: its message at the realms.
    await verifyUrl.fill(before.verifyUrl);
    await page.getByRole('button', { name: 'Add a realm' }).click();
    await realmInput(page, 3).fill('not a realm');
    await page.getByRole('button', { name: 'Save configuration' }).click();
    await page.locator('.realms-editor .field-error').getByText('trusted realm "not a realm"').waitFor();

    expect(await acmeSettings()).toEqual(before);
  }, 60_000);

  it("saves an admin's valid edit, trusted realms added and removed as rows", async () => {
    const page = await as('admin');
    await go(page, acme('/settings'), 'Settings');
    await page.getByRole('button', { name: 'Edit configuration' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Acme Corporation (edited)');
    await page.getByLabel('Profile retention in days (empty keeps profiles)').fill('365');
    await page.getByRole('button', { name: 'Add a realm' }).click();
    await realmInput(page, 3).fill('https://partner.example.org/');
    await page.getByRole('button', { name: 'Add a realm' }).click();
    // The new row has the focus: typing goes into it.
    await page.keyboard.type('https://mistake.example.org/');
    expect(await realmInput(page, 4).inputValue()).toBe('https://mistake.example.org/');
    await page.getByRole('button', { name: 'Remove trusted realm 4 (https://mistake.example.org/)' }).click();
    expect(await realmInput(page, 4).count()).toBe(0);
    await page.getByRole('button', { name: 'Save configuration' }).click();

    await page.getByRole('status').getByText('The configuration was saved.').waitFor();
    // What the page shows at once is the saved configuration, not the one before.
    expect(await page.getByRole('list', { name: 'Trusted realms' }).getByRole('listitem').allInnerTexts()).toEqual([
      `${world.sites.shopRpUrl}/`,
      `${world.sites.forumRpUrl}/`,
      'https://partner.example.org/',
    ]);
    expect(await page.locator('main').innerText()).toContain('Erased after 365 days unseen');
    expect(await acmeSettings()).toMatchObject({
      name: 'Acme Corporation (edited)',
      profileRetentionDays: 365,
      trustedRealms: [`${world.sites.shopRpUrl}/`, `${world.sites.forumRpUrl}/`, 'https://partner.example.org/'],
    });
  }, 60_000);

  it('rotates the API key behind a confirmation, shows the new key once, and the old key keeps working in the grace period', async () => {
    const oldKey = world.customers.acme.apiKey;
    const page = await as('admin', 390);
    await go(page, acme('/settings'), 'Settings');
    const start = page.getByRole('button', { name: 'Rotate API key…' });
    await start.click();
    await page.getByRole('group').getByText(/^Rotate the API key of Acme Corporation/).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await shownOnce(page).count()).toBe(0);
    expect(await start.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(await inContext(world.app, () => world.app.services.customers.verifyApiKey(world.customers.acme.id, oldKey))).toBe(true);

    await start.click();
    await page.getByRole('button', { name: 'Rotate the API key' }).click();
    const newKey = (await shownOnce(page).innerText()).trim();
    expect(newKey).not.toBe(oldKey);
    expect(await page.getByTestId('grace-period').innerText()).toMatch(/^The previous key keeps working until .+; after that only the new key is accepted\.$/);
    await expectAccessible(page, 'settings after rotation (admin, 390 px)');
    await screenshot(page, 'customers-settings-rotated-390');

    const verify = (key: string) => inContext(world.app, () => world.app.services.customers.verifyApiKey(world.customers.acme.id, key));
    expect(await verify(newKey)).toBe(true);
    // The sample AW still posts back with the old key: a real sign-in goes through in the grace period.
    const { rpPage } = await world.signIn('shop', world.users.alice);
    expect(rpPage).toContain('Signed in as');

    // Shown once: gone after a reload.
    await go(page, acme('/settings'), 'Settings');
    await page.getByRole('heading', { name: 'API key' }).waitFor();
    expect(await shownOnce(page).count()).toBe(0);
  }, 90_000);

  it("lets a customer-bound owner manage only its customer's tokens: one created signs in, and revoked no longer can", async () => {
    const page = await as('owner');
    expect(await navLink(page, 'Customers').count()).toBe(0);
    expect(await navLink(page, 'OAuth clients').count()).toBe(0);
    await navLink(page, 'Operator tokens').click();
    await tokensTable(page).waitFor();
    // Off the customer's pages, its links stay.
    expect(await navLink(page, 'Settings').getAttribute('href')).toBe(`/dashboard${acme('/settings')}`);
    const customers = await tokensTable(page).locator('tbody tr td:nth-child(3)').allInnerTexts();
    expect(customers.length).toBeGreaterThanOrEqual(5);
    for (const customer of customers) expect(customer).toContain('(acme)');
    expect(await page.getByRole('row', { name: /owner token/ }).getByText('this session').count()).toBe(1);
    expect(await page.getByLabel('Customer', { exact: true }).getAttribute('readonly')).not.toBeNull();

    // The own token: a plain warning first, and nothing happens on Cancel.
    await page.getByRole('button', { name: 'Revoke owner token' }).click();
    await page.getByText('is the token you are signed in with').waitFor();
    expect(await page.getByRole('button', { name: 'Revoke and sign out' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Cancel' }).click();

    await page.getByLabel('Name (who or what uses it)').fill('Night shift viewer');
    await page.getByLabel('Role', { exact: true }).selectOption('VIEWER');
    await page.getByLabel('Expires after (days; empty for never)').fill('30');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await shownOnce(page).innerText()).trim();
    expect(token).toMatch(/^ops_/);
    await page.getByRole('row', { name: /Night shift viewer/ }).waitFor();
    await expectAccessible(page, 'operator tokens (customer-bound owner)');
    await screenshot(page, 'customers-operator-tokens-owner');

    const viewer = await open(token);
    expect(await viewer.locator('.who .role').textContent()).toBe('viewer');
    expect(await call<{ operatorTokens: { nodes: Array<{ name: string; customerId: string }> } }>(world.tokens.platformOwner, '{ operatorTokens(first: 100) { nodes { name customerId } } }')).toMatchObject({
      operatorTokens: { nodes: expect.arrayContaining([{ name: 'Night shift viewer', customerId: world.customers.acme.id }]) },
    });

    await page.getByRole('button', { name: 'Revoke Night shift viewer' }).click();
    await page.getByRole('button', { name: 'Revoke the token' }).click();
    await page.getByText('Night shift viewer is revoked').waitFor();
    await page.getByRole('row', { name: /Night shift viewer/ }).getByText('Revoked').waitFor();

    // The session it opened ends, and it signs in no more.
    await viewer.reload();
    await viewer.getByLabel('Operator token', { exact: true }).waitFor();
    const again = await openTab(browser);
    tabs.push(again);
    await again.page.goto(`${world.baseUrl}/dashboard/`);
    await again.page.getByLabel('Operator token', { exact: true }).fill(token);
    await again.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await again.page.getByRole('alert').waitFor();
    expect(await mainNavigation(again.page).count()).toBe(0);
  }, 90_000);

  it("signs an owner out when it revokes its session's own token, after the warning", async () => {
    const created = await call<{ createOperatorToken: { token: string } }>(
      world.tokens.owner,
      'mutation($c: ID) { createOperatorToken(input: { name: "Short-lived owner", role: OWNER, customerId: $c }) { token } }',
      { c: world.customers.acme.id },
    );
    const page = await open(created.createOperatorToken.token);
    await go(page, '/operator-tokens', 'Operator tokens');
    await page.getByRole('button', { name: 'Revoke Short-lived owner' }).click();
    await page.getByRole('button', { name: 'Revoke and sign out' }).click();
    await page.getByLabel('Operator token', { exact: true }).waitFor();
    // Signed out either by the page's own sign-out or by the API's 401 to a refetch racing it: both say so.
    expect(await page.getByText(/^(You have signed out\.|Your session has ended\. Sign in again\.)$/).count()).toBe(1);
    expect((await graphql(world.baseUrl, '{ me { id } }', {}, created.createOperatorToken.token)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  }, 60_000);

  it('shows a platform owner every customer, with links to each one and its settings', async () => {
    const page = await as('platformOwner', 390);
    await navLink(page, 'Customers').click();
    const table = page.getByRole('table', { name: 'Customers, oldest first' });
    await table.waitFor();
    expect(await table.locator('tbody tr td:nth-child(2)').allInnerTexts()).toEqual(['acme', 'globex']);
    await expectAccessible(page, 'customers (platform owner, 390 px)');
    await screenshot(page, 'customers-list-390');
    await page.getByRole('link', { name: 'Settings of Globex' }).click();
    await page.getByRole('heading', { name: 'Configuration' }).waitFor();
    expect(page.url()).toBe(`${world.baseUrl}/dashboard/c/${world.customers.globex.id}/settings`);
    expect(await page.locator('main').innerText()).toContain(`${world.sites.globexRpUrl}/`);
    expect(await page.getByRole('button', { name: 'Edit configuration' }).count()).toBe(1);

    await go(page, '/operator-tokens', 'Operator tokens');
    await tokensTable(page).waitFor();
    const customers = await tokensTable(page).locator('tbody tr td:nth-child(3)').allInnerTexts();
    expect(customers).toContain('Platform-wide');
    const options = await page.getByLabel('Customer', { exact: true }).locator('option').allInnerTexts();
    expect(options.map((option) => option.replace(/^.* \((\w+)\)$/, '$1'))).toEqual(['Platform-wide (every customer)', 'acme', 'globex']);
  }, 60_000);

  it("lets a platform owner register, rotate and disable a customer's OAuth client, each secret shown once", async () => {
    const page = await as('platformOwner');
    await go(page, acme('/oauth-clients'), 'OAuth clients');
    const table = page.getByRole('table', { name: 'OAuth clients, oldest first' });
    await table.getByRole('cell', { name: 'Acme reporting', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Register client' }).click();
    await page.getByText('Give the client a name (1-200 characters).').first().waitFor();
    await page.getByLabel('Client name').fill('Nightly export');
    await page.getByRole('button', { name: 'Register client' }).click();
    await page.locator('.scope-list .field-error').getByText('Tick at least one scope.').waitFor();
    await page.getByRole('checkbox', { name: 'requests:read', exact: true }).check();
    await page.getByRole('button', { name: 'Register client' }).click();
    const secret = (await shownOnce(page).innerText()).trim();
    const clientId = (await page.locator('.outcome p code').first().innerText()).trim();
    await table.getByRole('cell', { name: 'Nightly export', exact: true }).waitFor();
    expect(await tokenGrant(clientId, secret)).toBe(200);
    await expectAccessible(page, 'OAuth clients (platform owner)');
    await screenshot(page, 'customers-oauth-clients-platform-owner');

    await page.getByRole('button', { name: 'Rotate secret of Nightly export' }).click();
    await page.getByRole('button', { name: 'Rotate the secret' }).click();
    await page.getByText('New client secret of Nightly export').waitFor();
    const rotated = (await shownOnce(page).innerText()).trim();
    expect(rotated).not.toBe(secret);
    expect(await tokenGrant(clientId, secret)).not.toBe(200);
    expect(await tokenGrant(clientId, rotated)).toBe(200);

    await page.getByRole('button', { name: 'Disable Nightly export' }).click();
    await page.getByRole('button', { name: 'Disable the client' }).click();
    await page.getByText('Nightly export is disabled').waitFor();
    await page.getByRole('row', { name: /Nightly export/ }).getByText('Disabled').waitFor();
    expect(await page.getByRole('button', { name: 'Disable Nightly export' }).count()).toBe(0);
    expect(await tokenGrant(clientId, rotated)).not.toBe(200);
  }, 90_000);
});
