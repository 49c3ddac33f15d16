import { readFileSync } from 'node:fs';
import { Page } from 'playwright-core';
import { ownerSql } from '../support/app';
import { DashboardTab, expectAccessible, openTab } from '../support/dashboard-browser';
import { graphql } from '../support/graphql';
import {
  CENTER_USERS,
  CenterWorld,
  centerScreenshot,
  expectShown,
  signInControl,
  signInToAccount,
  signOutButton,
  startPrivacyCenterWorld,
  updatePrivacyCenter,
} from '../support/privacy-center';
import { profileIdOf, usernameHash } from '../support/sealed';
import { tablesMentioning } from '../support/traces';
import { waitUntil } from '../support/wait';

const STEP_MS = 60_000;
const DAY_MS = 24 * 3600 * 1000;

/**
 * The person's own privacy center (issue 22, "Done when") in headless Chromium, against a live
 * service whose customer's AW is the sample AW: alice signs in there through it, sees her data and
 * where it came from, corrects an attribute, withdraws a consent (the site asks again), downloads
 * her export, reads the page in German, and deletes her data (nothing of her is left but the
 * receipt and the audit chain); bob's deletion waits for review until an admin approves it. Every
 * page is checked with axe-core at 1280 and 390 px, and none may cause a CSP violation.
 * Screenshots go to test-output/privacy-center/.
 */
describe('the privacy center in a browser', () => {
  let world: CenterWorld;
  const tabs: DashboardTab[] = [];
  /** alice's tab, signed in, from the first test to her deletion. */
  let alice: Page;
  let aliceProfile: string;

  beforeAll(async () => {
    world = await startPrivacyCenterWorld();
    await updatePrivacyCenter(world, {
      isEnabled: true,
      editableFields: ['nickname', 'fullname'],
      deletionMode: 'IMMEDIATE',
      displayName: 'Acme Privacy',
      accentColor: '#0b5fff',
      privacyPolicyUrl: 'https://acme.example.com/privacy',
      languages: ['en', 'de'],
    });
    // Both have a remembered consent at the shop, so each has a profile and a consent to show.
    for (const user of [CENTER_USERS.alice, CENTER_USERS.bob]) {
      const first = await world.signInAtShop({ username: user.username, password: user.password, isRemembering: true });
      expect(first).toMatchObject({ isConsentShown: true, rpPage: expect.stringContaining('Signed in as') });
    }
    aliceProfile = await profileIdOf(world.app, 'alice', world.customer.id);
  }, 120_000);
  afterEach(() => {
    expect(tabs.flatMap((tab) => tab.cspViolations)).toEqual([]);
  });
  afterAll(async () => {
    for (const tab of tabs) await tab.context.close().catch(() => undefined);
    await world?.stop();
  });

  async function newTab(locale?: string): Promise<Page> {
    const tab = await openTab(world.browser, { locale });
    tabs.push(tab);
    return tab.page;
  }

  /**
   * axe-core at 1280 px and at 390 px (a phone), or at 390 px only; a screenshot at 1280 px when
   * `shot` names one, and at 390 px when `narrowShot` does. (Each axe run takes seconds: every
   * page is checked at both widths once, not each state of it. The pages have no frames.)
   */
  async function checkPage(page: Page, label: string, options: { shot?: string; narrowShot?: string; isNarrowOnly?: boolean } = {}): Promise<void> {
    if (!options.isNarrowOnly) await expectAccessible(page, `${label} at 1280 px`, { isFrameless: true });
    if (options.shot) await centerScreenshot(page, options.shot);
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await expectAccessible(page, `${label} at 390 px`, { isFrameless: true });
      if (options.narrowShot) await centerScreenshot(page, options.narrowShot);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  }

  const main = (page: Page) => page.locator('main').innerText();
  /** A row of the "Your data" table, as its text: field, value, where it came from, when. */
  const dataRow = (page: Page, field: string) =>
    page.getByRole('region', { name: 'Your data' }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: field, exact: true }) }).innerText();
  const sites = (page: Page) => page.getByRole('region', { name: 'Sites you shared data with' });

  async function api<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const answer = await graphql<T>(world.baseUrl, query, variables);
    if (answer.errors || !answer.data) throw new Error(`GraphQL failed: ${JSON.stringify(answer.errors)}`);
    return answer.data;
  }

  type Request = { id: string; kind: string; status: string; receivedAt: string; dueAt: string; completedAt: string | null; isOverdue: boolean; fields: string[] | null; exportId: string | null; deletionRequestId: string | null };
  const REQUEST_FIELDS = 'id kind status receivedAt dueAt completedAt isOverdue fields exportId deletionRequestId';
  async function privacyRequests(filter: Record<string, unknown>): Promise<Request[]> {
    const data = await api<{ privacyRequests: { nodes: Request[] } }>(
      `query($c: ID, $f: PrivacyRequestFilter) { privacyRequests(customerId: $c, filter: $f, first: 50) { nodes { ${REQUEST_FIELDS} } } }`,
      { c: world.customer.id, f: filter },
    );
    return data.privacyRequests.nodes;
  }
  async function privacyRequest(id: string): Promise<Request | null> {
    return (await api<{ privacyRequest: Request | null }>(`query($id: ID!) { privacyRequest(id: $id) { ${REQUEST_FIELDS} } }`, { id })).privacyRequest;
  }

  it('signs alice in through the sample AW and shows her data, where each value came from, and her consent', async () => {
    alice = await newTab();
    await alice.goto(world.accountUrl);
    await signInControl(alice).waitFor();
    expect(await alice.locator('html').getAttribute('lang')).toBe('en');
    expect(await main(alice)).not.toContain('alice@example.org');
    await checkPage(alice, 'the signed-out page', { shot: 'sign-in' });

    await signInToAccount(alice, world, CENTER_USERS.alice);
    const shown = await main(alice);
    for (const value of ['alice@example.org', 'Alice Liddell']) expect(shown).toContain(value);
    // Provenance: each value came with her sign-in at the AW, and the page says when.
    expect(await dataRow(alice, 'Email address')).toMatch(/^Email address\s+alice@example\.org\s+Your sign-in\s+\w+ \d+, \d{4}, .* UTC$/);
    expect(await dataRow(alice, 'Full name')).toMatch(/^Full name\s+Alice Liddell\s+Your sign-in\s+/);
    // The site she shared with, and her sign-ins (the shop's, with what it received, and this one).
    expect(await sites(alice).innerText()).toContain(`${world.sites.shopRpUrl}/`);
    const signIns = await alice.getByRole('region', { name: 'Recent sign-ins' }).innerText();
    expect(signIns).toContain(`${world.sites.shopRpUrl}/`);
    expect(signIns).toContain('This privacy center');
    await checkPage(alice, 'the overview', { shot: 'overview', narrowShot: 'overview-390' });
  }, STEP_MS);

  it('lets her correct an editable attribute, recorded as her rectification request', async () => {
    await alice.getByLabel('Nickname', { exact: true }).fill('ally');
    await alice.getByRole('button', { name: 'Save corrections' }).click();
    await expectShown(alice, 'the correction saved', () => alice.getByRole('status').filter({ hasText: 'Your correction was saved.' }).waitFor());
    expect(await alice.getByLabel('Nickname', { exact: true }).inputValue()).toBe('ally');
    expect(await dataRow(alice, 'Nickname')).toMatch(/^Nickname\s+ally\s+You\s+/);
    // Fields the customer does not let people edit have no input.
    expect(await alice.getByLabel('Email address', { exact: true }).count()).toBe(0);
    await centerScreenshot(alice, 'correction-done');

    const { profile } = await api<{ profile: { nickname: string } }>('query($id: ID!) { profile(id: $id) { nickname } }', { id: aliceProfile });
    expect(profile.nickname).toBe('ally');
    const [rectification] = await privacyRequests({ kind: 'RECTIFICATION' });
    expect(rectification).toMatchObject({ status: 'COMPLETED', fields: ['nickname'] });
    await waitUntil('the correction in the audit trail, by the data subject', async () => {
      const rows = await ownerSql(`select actor_kind, actor_id from audit_event where customer_id = ? and action = 'profile.updated' order by seq desc limit 1`, [world.customer.id]);
      return rows[0]?.actor_kind === 'DATA_SUBJECT' && rows[0]?.actor_id === 'acme';
    });
  }, STEP_MS);

  it('withdraws her consent to the shop, whose next sign-in asks her again', async () => {
    await sites(alice).getByRole('button', { name: 'Withdraw' }).click();
    await expectShown(alice, 'the consent withdrawn', () => alice.getByRole('status').filter({ hasText: 'Your consent was withdrawn.' }).waitFor());
    expect(await sites(alice).getByRole('button', { name: 'Withdraw' }).count()).toBe(0);
    expect(await sites(alice).innerText()).toMatch(/Withdrawn \w+ \d+, \d{4}/);
    await centerScreenshot(alice, 'consents');
    const again = await world.signInAtShop({ username: 'alice', password: 'wonderland' });
    expect(again.isConsentShown).toBe(true);
    expect(again.rpPage).toContain('Signed in as');
  }, STEP_MS);

  it('builds her export in the worker and lets her download it from the page', async () => {
    await alice.getByRole('button', { name: 'Prepare a download' }).click();
    const preparing = alice.getByRole('status').filter({ hasText: 'Your download is being prepared.' });
    // Being prepared, or (a quick worker) ready already: the notice shows only while it is being built.
    await expectShown(alice, 'the download being prepared', () => preparing.or(alice.getByRole('link', { name: /^Download \(available until / })).first().waitFor());
    expect(alice.url()).toContain('done=export');
    const [request] = await privacyRequests({ kind: 'EXPORT' });
    // IN_PROGRESS until the worker has built the document (it may have done so already).
    expect(request).toMatchObject({ status: expect.stringMatching(/^(IN_PROGRESS|COMPLETED)$/), exportId: expect.any(String) });
    await waitUntil('the export request to be COMPLETED', async () => (await privacyRequest(request!.id))?.status === 'COMPLETED', { timeoutMs: 20_000 });
    await alice.reload();
    const link = alice.getByRole('link', { name: /^Download \(available until / });
    await link.waitFor();
    // The address still says ?done=export, but nothing is being prepared any more: no such notice.
    expect(alice.url()).toContain('done=export');
    expect(await preparing.count()).toBe(0);
    await centerScreenshot(alice, 'export-ready');
    const [download] = await Promise.all([alice.waitForEvent('download'), link.click()]);
    const document = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { format: string; profile: Record<string, unknown>; previousValues: unknown[] };
    // Everything about her: her profile, and her correction among the previous values.
    expect(document.format).toBe('ids.profile-export/1');
    expect(document.profile).toMatchObject({ username: 'alice', email: 'alice@example.org', fullname: 'Alice Liddell' });
    expect(JSON.stringify(document.previousValues)).toContain('ally');
  }, STEP_MS);

  it('speaks German to a browser whose Accept-Language asks for it', async () => {
    const page = await newTab('de-DE');
    await page.goto(world.accountUrl);
    await signInControl(page).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    await signInToAccount(page, world, CENTER_USERS.alice);
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    const shown = await main(page);
    expect(shown).toContain('alice@example.org');
    for (const words of ['Ihr Datenschutz-Center', 'Ihre Daten', 'Ihre Anmeldung', 'Berichtigung speichern']) expect(shown).toContain(words);
    // At 390 px, where the longer German words press the tables hardest (1280 px is the English overview's check).
    await centerScreenshot(page, 'overview-de');
    await checkPage(page, 'the German overview', { isNarrowOnly: true });
    await signOutButton(page).click();
    await signInControl(page).waitFor();
  }, STEP_MS);

  it('deletes her data after a confirmation step: nothing of her is left but the receipt and the audit chain', async () => {
    await alice.getByRole('link', { name: 'Delete my data…' }).click();
    await alice.getByRole('heading', { level: 1, name: 'Delete your data?' }).waitFor();
    await checkPage(alice, 'the delete confirmation', { shot: 'delete-confirmation' });
    // Not without ticking the box: the browser's own check keeps the form, and nothing is requested.
    await alice.getByRole('button', { name: 'Delete my data' }).click();
    expect(new URL(alice.url()).pathname).toBe('/c/acme/account/delete');
    expect(await privacyRequests({ kind: 'DELETION' })).toEqual([]);
    await alice.getByLabel('I understand that my data will be deleted.').check();
    await alice.getByRole('button', { name: 'Delete my data' }).click();
    await expectShown(alice, 'the receipt page', () => alice.waitForURL((url) => url.pathname.startsWith('/c/acme/account/receipt/')));
    const receiptUrl = alice.url();
    const requestId = new URL(receiptUrl).pathname.split('/').pop()!;
    await checkPage(alice, 'the receipt', { shot: 'receipt' });

    await waitUntil('the deletion request to be COMPLETED', async () => (await privacyRequest(requestId))?.status === 'COMPLETED', { timeoutMs: 30_000 });
    await waitUntil('the audit outbox to be drained', async () => (await ownerSql('select count(*)::int as n from audit_outbox where audited_at is null'))[0].n === 0);
    const lookup = await usernameHash(world.app, world.customer.id, 'alice');
    // Her username, her values (the corrected nickname included) and the lookup hash her sealed rows were found by.
    const traces = await tablesMentioning(['alice', 'Alice Liddell', 'ally', lookup]);
    expect(traces).toEqual({ alice: {}, 'Alice Liddell': {}, ally: {}, [lookup]: {} });

    // The receipt reads without a session, after the data is gone.
    const page = await newTab();
    await page.goto(receiptUrl);
    await page.getByRole('heading', { level: 1, name: 'Receipt of your request' }).waitFor();
    const receipt = await main(page);
    expect(receipt).toMatch(/Status\s+Completed/);
    expect(receipt).toMatch(/What was removed[\s\S]*profile\s+1/);
    expect(receipt).not.toContain('alice');
    await centerScreenshot(page, 'receipt-after-erasure');
    const chain = await api<{ verifyAuditChain: { ok: boolean } }>('query($c: ID!) { verifyAuditChain(customerId: $c) { ok } }', { c: world.customer.id });
    expect(chain.verifyAuditChain.ok).toBe(true);
    // The chain keeps what she did, each by the actor "data subject" (of acme), naming her only by hash.
    const bySubject = (await ownerSql(`select distinct action from audit_event where customer_id = ? and actor_kind = 'DATA_SUBJECT' and actor_id = 'acme' and subject_hash = ?`, [
      world.customer.id,
      world.app.services.audit.subjectHash(world.customer.id, 'alice'),
    ])) as Array<{ action: string }>;
    expect(bySubject.map((e) => e.action)).toEqual(
      expect.arrayContaining(['account.signed_in', 'profile.updated', 'consent.revoked', 'profile.export_requested', 'profile.deletion_requested', 'privacy_request.received']),
    );
  }, STEP_MS);

  it("holds bob's deletion for review, with a 30-day due date, until an admin approves it", async () => {
    await updatePrivacyCenter(world, { deletionMode: 'REVIEW' });
    const page = await newTab();
    await signInToAccount(page, world, CENTER_USERS.bob);
    await page.getByRole('link', { name: 'Delete my data…' }).click();
    expect(await main(page)).toContain('Your request is sent to Acme Privacy for review');
    await page.getByLabel('I understand that my data will be deleted.').check();
    await page.getByRole('button', { name: 'Delete my data' }).click();
    await expectShown(page, 'the receipt page', () => page.waitForURL((url) => url.pathname.startsWith('/c/acme/account/receipt/')));
    expect(await main(page)).toMatch(/Status\s+Waiting for review/);
    const receiptUrl = page.url();

    const [held] = await privacyRequests({ kind: 'DELETION', status: 'PENDING_REVIEW' });
    expect(held).toMatchObject({ status: 'PENDING_REVIEW', isOverdue: false, deletionRequestId: null });
    expect(Date.parse(held!.dueAt) - Date.parse(held!.receivedAt)).toBe(30 * DAY_MS);
    const bobProfile = await profileIdOf(world.app, 'bob', world.customer.id);

    const approved = await api<{ approvePrivacyRequest: { privacyRequest: Request } }>(
      `mutation($id: ID!) { approvePrivacyRequest(id: $id, note: "Checked by support") { privacyRequest { ${REQUEST_FIELDS} } } }`,
      { id: held!.id },
    );
    expect(approved.approvePrivacyRequest.privacyRequest).toMatchObject({ status: 'IN_PROGRESS', deletionRequestId: expect.any(String) });
    await waitUntil("bob's deletion request to be COMPLETED", async () => (await privacyRequest(held!.id))?.status === 'COMPLETED', { timeoutMs: 30_000 });
    const { profile } = await api<{ profile: unknown }>('query($id: ID!) { profile(id: $id) { id } }', { id: bobProfile });
    expect(profile).toBeNull();
    await page.goto(receiptUrl);
    expect(await main(page)).toMatch(/Status\s+Completed/);
  }, STEP_MS);
});
