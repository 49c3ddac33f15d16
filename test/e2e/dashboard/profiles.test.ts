import { readFileSync } from 'node:fs';
import { Browser, Page } from 'playwright-core';
import { DashboardTab, DashboardWorld, expectAccessible, launchBrowser, mainNavigation, openDashboard, screenshot, startDashboardWorld } from '../../support/dashboard';
import { call } from '../../support/dashboard-ids';
import { waitUntil } from '../../support/wait';

const STEP_MS = 120_000;

/**
 * The profiles pages (clients/dashboard/src/pages/profiles/) in headless Chromium against a live
 * service filled by real sign-ins: what each role sees and may do, and the actions themselves
 * (restriction, revoking consent, export and download, erasure with its receipt) checked through
 * the UI and the API.
 */
describe('dashboard: profiles', () => {
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

  /** A signed-in tab, closed (and its CSP reports checked) at the end of the test. */
  async function signIn(token: string, width: 1280 | 390 = 1280): Promise<Page> {
    const tab = await openDashboard(browser, world, token, { width });
    tabs.push(tab);
    return tab.page;
  }
  afterEach(async () => {
    const open = tabs.splice(0);
    for (const tab of open) await tab.context.close();
    expect(open.flatMap((tab) => tab.cspViolations)).toEqual([]);
  });

  const acmePath = (path = '') => `${world.baseUrl}/dashboard/c/${world.customers.acme.id}/profiles${path}`;
  const h1 = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });
  const profileQuery = 'query($id: ID!) { profile(id: $id) { id isRestricted consentDecisions { id revokedAt } } }';
  type Profile = { profile: { id: string; isRestricted: boolean; consentDecisions: Array<{ id: string; revokedAt: string | null }> } | null };

  it('offers auditors and viewers no profiles: no link, and the address shows the role note', async () => {
    for (const role of ['auditor', 'viewer'] as const) {
      const page = await signIn(world.tokens[role]);
      await page.goto(`${world.baseUrl}/dashboard/c/${world.customers.acme.id}`);
      await mainNavigation(page).getByRole('link', { name: 'Sign-ins' }).waitFor();
      expect(await mainNavigation(page).getByRole('link', { name: 'Profiles' }).count()).toBe(0);
      for (const path of ['', `/${world.ids.aliceProfile}`]) {
        await page.goto(acmePath(path));
        await page.getByRole('note').waitFor();
        expect(await page.getByRole('note').innerText()).toContain(`Your role (${role}) does not include`);
        expect(await page.locator('main').innerText()).not.toMatch(/alice|bob/);
      }
      await expectAccessible(page, `the profiles role note (${role})`);
      await screenshot(page, `profiles-list-${role}`);
    }
  }, STEP_MS);

  it("lists only the customer's own profiles, searched by exact username or email, each linking to its page (support)", async () => {
    const page = await signIn(world.tokens.support);
    await mainNavigation(page).getByRole('link', { name: 'Profiles' }).click();
    await page.getByRole('link', { name: 'alice' }).waitFor();
    const table = page.locator('main table');
    const listed = await table.innerText();
    expect(await table.locator('tbody tr').count()).toBe(3);
    for (const name of ['alice', 'bob', 'carol']) expect(listed).toContain(name);
    expect(await page.locator('main').innerText()).not.toContain(world.users.globex.username);
    await expectAccessible(page, 'the profile list');
    await screenshot(page, 'profiles-list-support');

    await page.getByLabel('Username (exact match)').fill('ali');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No profile has exactly this username.').waitFor();
    await page.getByLabel('Username (exact match)').fill('alice');
    await page.getByRole('button', { name: 'Search' }).click();
    await waitUntil('one row, alice', async () => (await table.locator('tbody tr').count()) === 1 && (await table.innerText()).includes('alice'));

    const { profile } = await call<{ profile: { email: string } }>(world.baseUrl, world.tokens.admin, 'query($id: ID!) { profile(id: $id) { email } }', { id: world.ids.aliceProfile });
    await page.getByLabel('Search by').selectOption('email');
    await page.getByLabel('Email (exact match)').fill(profile.email);
    await page.getByRole('button', { name: 'Search' }).click();
    await waitUntil('the row found by email', async () => (await table.innerText()).includes(profile.email));
    await page.getByRole('link', { name: 'alice' }).click();
    await h1(page, 'Profile: alice').waitFor();
  }, STEP_MS);

  it('shows support the profile and its consent decisions, no revoke and no erasure, and lets it restrict processing and lift it', async () => {
    const page = await signIn(world.tokens.support);
    await page.goto(acmePath(`/${world.ids.aliceProfile}`));
    await page.getByRole('heading', { name: 'Consent decisions' }).waitFor();
    const email = page.locator('dd[data-field="email"]');
    expect(await email.innerText()).toContain('@');
    const consents = page.locator('section[aria-labelledby="profile-consents"] tbody tr');
    expect(await consents.count()).toBe(2);
    expect(await page.locator('section[aria-labelledby="profile-consents"]').innerText()).toContain(world.sites.shopRpUrl);
    expect(await page.getByRole('button', { name: /Revoke/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Delete/ }).count()).toBe(0);
    await expectAccessible(page, 'the profile page (support)');
    await screenshot(page, 'profiles-detail-support');

    await page.getByRole('button', { name: 'Restrict processing' }).click();
    await page.getByText('Processing is now restricted.').waitFor();
    await page.getByText('Processing of this profile is restricted').waitFor();
    await waitUntil('the personal fields left out', async () => (await page.locator('dd[data-field]').count()) === 0);
    expect(await page.locator('main').innerText()).not.toContain('alice@');
    expect(await consents.count()).toBe(0);
    await page.getByText('Consent decisions are hidden while processing is restricted.').waitFor();
    expect((await call<Profile>(world.baseUrl, world.tokens.admin, profileQuery, { id: world.ids.aliceProfile })).profile?.isRestricted).toBe(true);
    await screenshot(page, 'profiles-detail-restricted');

    await page.getByRole('button', { name: 'Lift restriction' }).click();
    await page.getByText('The restriction is lifted.').waitFor();
    await waitUntil('the email shown again', async () => (await email.count()) === 1 && (await email.innerText()).includes('@'));
    expect((await call<Profile>(world.baseUrl, world.tokens.admin, profileQuery, { id: world.ids.aliceProfile })).profile?.isRestricted).toBe(false);
  }, STEP_MS);

  it('lets an admin revoke a consent decision after confirming it', async () => {
    const page = await signIn(world.tokens.admin);
    await page.goto(acmePath(`/${world.ids.aliceProfile}`));
    const revoke = page.getByRole('button', { name: `Revoke the decision for ${world.sites.shopRpUrl}/` });
    await revoke.click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await call<Profile>(world.baseUrl, world.tokens.admin, profileQuery, { id: world.ids.aliceProfile })).profile?.consentDecisions.find((d) => d.id === world.ids.rememberedConsent)?.revokedAt).toBeNull();

    await revoke.click();
    await page.getByRole('button', { name: 'Confirm revoke' }).click();
    await page.getByText('is revoked: the user is asked again at the next sign-in.').waitFor();
    await waitUntil('the revoke button gone', async () => (await revoke.count()) === 0);
    const after = await call<Profile>(world.baseUrl, world.tokens.admin, profileQuery, { id: world.ids.aliceProfile });
    expect(after.profile?.consentDecisions.find((d) => d.id === world.ids.rememberedConsent)?.revokedAt).not.toBeNull();
    await expectAccessible(page, 'the profile page after revoking (admin)');
  }, STEP_MS);

  it("lets an admin request an export and download it through the API's signed link", async () => {
    const page = await signIn(world.tokens.admin);
    await page.goto(acmePath(`/${world.ids.aliceProfile}`));
    await page.getByRole('button', { name: 'Request export' }).click();
    const link = page.getByRole('link', { name: 'Download the export (JSON)' });
    await link.waitFor({ timeout: 30_000 });
    await expectAccessible(page, 'the profile page with an export ready');
    await screenshot(page, 'profiles-detail-admin-export');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const body = readFileSync((await download.path())!, 'utf8');
    expect(body).toContain('"alice"');
    expect(body).toContain(world.ids.aliceProfile);
    // The link is the API's own signed one: it names no operator token and works on its own.
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/\/c\/acme\/exports\/[0-9a-f-]+\?expires=\d+&sig=/);
    for (const token of Object.values(world.tokens)) expect(href).not.toContain(token);
  }, STEP_MS);

  it('erases a profile only after the username is typed, and keeps its receipt readable once the profile is gone (admin)', async () => {
    const page = await signIn(world.tokens.admin);
    await page.goto(acmePath(`/${world.ids.carolProfile}`));
    await page.getByRole('button', { name: 'Delete this profile…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this profile?' });
    const confirm = dialog.getByRole('button', { name: 'Delete profile' });
    const typed = dialog.getByLabel('Type carol to confirm');
    expect(await confirm.isDisabled()).toBe(true);
    for (const wrong of ['caro', 'Carol', 'alice', 'carols']) {
      await typed.fill(wrong);
      expect(await confirm.isDisabled()).toBe(true);
    }
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await call<Profile>(world.baseUrl, world.tokens.admin, profileQuery, { id: world.ids.carolProfile })).profile).not.toBeNull();

    await page.getByRole('button', { name: 'Delete this profile…' }).click();
    await typed.fill('carol');
    await expectAccessible(page, 'the erasure dialog');
    await screenshot(page, 'profiles-delete-dialog');
    await confirm.click();
    await page.waitForURL(/\/profiles\/deletions\/[0-9a-f-]+$/);
    await page.getByText('Completed: only this receipt remains.').waitFor({ timeout: 30_000 });
    const main = page.locator('main');
    expect(await main.innerText()).toContain(world.ids.carolProfile);
    const erased = await main.locator('table tbody tr').evaluateAll((rows) => rows.map((row) => (row as unknown as { innerText: string }).innerText.split('\t').map((cell) => cell.trim())));
    expect(erased).toEqual(expect.arrayContaining([['profile', '1'], ['consent_decision', '1']]));
    await expectAccessible(page, 'the deletion receipt');
    await screenshot(page, 'profiles-deletion-receipt-admin');
    expect((await call<Profile>(world.baseUrl, world.tokens.admin, profileQuery, { id: world.ids.carolProfile })).profile).toBeNull();

    // The receipt outlives the profile: reloaded by its address, and the profile's own page says it is gone.
    const receipt = page.url();
    await page.reload();
    await page.getByText('Completed: only this receipt remains.').waitFor();
    await page.goto(acmePath(`/${world.ids.carolProfile}`));
    await h1(page, 'Profile not found').waitFor();
    expect(receipt).toContain(`/c/${world.customers.acme.id}/profiles/deletions/`);
  }, STEP_MS);

  it("never shows another customer's profile: not to acme's operators, nor under acme's address to a platform-wide owner", async () => {
    for (const token of [world.tokens.owner, world.tokens.platformOwner]) {
      const page = await signIn(token);
      await page.goto(acmePath(`/${world.ids.globexProfile}`));
      await h1(page, 'Profile not found').waitFor();
      expect(await page.locator('main').innerText()).not.toContain(world.users.globex.username);
      await page.goto(acmePath());
      await page.getByRole('link', { name: 'alice' }).waitFor();
      expect(await page.locator('main').innerText()).not.toContain(world.users.globex.username);
    }
    const page = await signIn(world.tokens.platformOwner);
    await page.goto(`${world.baseUrl}/dashboard/c/${world.customers.globex.id}/profiles`);
    await page.getByRole('link', { name: world.users.globex.username }).waitFor();
    expect(await page.locator('main table tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: world.users.globex.username }).click();
    await h1(page, `Profile: ${world.users.globex.username}`).waitFor();
    expect(await page.getByRole('button', { name: 'Delete this profile…' }).count()).toBe(1);
  }, STEP_MS);

  it('works at 390 px: the list and the profile page, accessible', async () => {
    const page = await signIn(world.tokens.owner, 390);
    await page.goto(acmePath());
    await page.getByRole('link', { name: 'alice' }).waitFor();
    await expectAccessible(page, 'the profile list at 390 px');
    await screenshot(page, 'profiles-list-390');
    await page.getByRole('link', { name: 'alice' }).click();
    await page.getByRole('heading', { name: 'Erasure' }).waitFor();
    await expectAccessible(page, 'the profile page at 390 px');
    // Nothing wider than the phone: wide tables scroll inside their own box, not the page.
    for (const path of ['', `/${world.ids.aliceProfile}`]) {
      if (path === '') await page.goto(acmePath());
      else await page.getByRole('link', { name: 'alice' }).click();
      await page.locator('main table').first().waitFor();
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    }
    await screenshot(page, 'profiles-detail-390');
  }, STEP_MS);
});
