import { Browser, Page } from 'playwright-core';
import { verifyWebhookSignature } from '../../../clients/typescript/src';
import { graphql } from '../../support/graphql';
import { DashboardTab, DashboardWorld, expectAccessible, launchBrowser, mainNavigation, openDashboard, screenshot, startDashboardWorld, type DashboardWidth } from '../../support/dashboard';
import { waitUntil } from '../../support/wait';

type Role = 'platformOwner' | 'owner' | 'admin' | 'support' | 'auditor' | 'viewer';

/**
 * The audit and webhooks pages (issue 21, item 3) in headless Chromium against a live service
 * filled by real sign-ins: what each role sees and cannot do, chain verification, and webhook
 * endpoints and deliveries worked end to end against real receivers on loopback.
 */
describe('dashboard: audit and webhooks', () => {
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

  async function open(role: Role, width: DashboardWidth = 1280): Promise<Page> {
    const tab = await openDashboard(browser, world, world.tokens[role], { width });
    tabs.push(tab);
    return tab.page;
  }

  const acmePath = (rest: string) => `${world.baseUrl}/dashboard/c/${world.customers.acme.id}${rest}`;
  const navLink = (page: Page, name: string) => mainNavigation(page).getByRole('link', { name, exact: true });
  const auditTable = (page: Page) => page.getByRole('table', { name: 'Audit events, newest first' });
  const deliveriesTable = (page: Page) => page.getByRole('table', { name: 'Deliveries, newest first' });
  const mainText = (page: Page) => page.locator('main').innerText();

  /** The action of every audit event row shown. */
  const actions = (page: Page) => auditTable(page).locator('tbody tr td:nth-child(3) code').allInnerTexts();

  async function asAdmin<T>(query: string, variables: Record<string, unknown> = {}, token = world.tokens.admin): Promise<T> {
    const res = await graphql<T>(world.baseUrl, query, variables, token);
    if (res.errors || !res.data) throw new Error(JSON.stringify(res.errors));
    return res.data;
  }

  async function openAudit(role: Role, width: DashboardWidth = 1280): Promise<Page> {
    const page = await open(role, width);
    await navLink(page, 'Audit').click();
    await page.getByRole('heading', { level: 1, name: 'Audit' }).waitFor();
    await auditTable(page).waitFor();
    return page;
  }

  it('shows an auditor the events without whom they are about, with a note, and verifies the chain', async () => {
    const page = await openAudit('auditor');
    expect(await auditTable(page).locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await auditTable(page).getByRole('columnheader', { name: 'Subject' }).count()).toBe(0);
    expect(await page.getByRole('note').innerText()).toContain('does not include whom events are about');
    expect(await page.getByLabel('Subject (username)').count()).toBe(0);
    // Left out, not refused: no error on the page, and no username anywhere in it.
    expect(await page.getByRole('alert').count()).toBe(0);
    // Every event's details opened: the names of the fields changed, never their values.
    await page.evaluate("document.querySelectorAll('main details').forEach((d) => { d.open = true; })");
    expect(await auditTable(page).locator('tbody tr', { hasText: 'profile.created' }).first().locator('dl').innerText()).toMatch(/Fields changed\s+\S*email/);
    const text = await mainText(page);
    for (const personal of ['alice', 'bob', 'globex-only-user', '@example']) expect(text).not.toContain(personal);

    // By keyboard: the button takes focus and Enter runs it.
    await page.getByRole('button', { name: 'Verify chain' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText(/^The audit chain verifies: \d+ events? checked/).waitFor();
    await expectAccessible(page, 'audit page (auditor)');
    await screenshot(page, 'audit-events-auditor');
  }, 120_000);

  it('shows an admin the subjects and field changes, filters by action and subject, and verifies the chain', async () => {
    const page = await openAudit('admin');
    await auditTable(page).getByRole('columnheader', { name: 'Subject' }).waitFor();
    expect(await page.getByRole('note').count()).toBe(0);
    const subjects = await auditTable(page).locator('tbody tr td:nth-child(6)').allInnerTexts();
    expect(subjects).toEqual(expect.arrayContaining(['alice', 'bob']));
    expect(subjects).not.toContain('globex-only-user');

    // 20 a page: the next page holds other events, and Previous comes back to the first.
    const seqs = async () => (await auditTable(page).locator('tbody tr td:nth-child(2)').allInnerTexts()).map(Number);
    const firstPage = await seqs();
    expect(firstPage).toHaveLength(20);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2', { exact: true }).waitFor();
    await waitUntil('the second page of events', async () => {
      const second = await seqs();
      return second.length > 0 && second.every((n) => !firstPage.includes(n));
    });
    await page.getByRole('button', { name: 'Previous page' }).click();
    await waitUntil('the first page again', async () => (await seqs()).join() === firstPage.join());

    await page.getByLabel('Action', { exact: true }).fill('webhook_endpoint.created');
    await page.getByLabel('Action', { exact: true }).press('Enter');
    await waitUntil('only webhook_endpoint.created events to be listed', async () => {
      const shown = await actions(page);
      return shown.length === 2 && shown.every((a) => a === 'webhook_endpoint.created');
    });
    // Its details: the non-personal facts the API gave (the URL it was created with).
    const first = auditTable(page).locator('tbody tr').first();
    await first.getByText('Details').click();
    expect(await first.locator('dl').innerText()).toContain(`${world.receivers.failing.url}`);

    await page.getByLabel('Action', { exact: true }).fill('');
    await page.getByLabel('Subject (username)').fill('alice');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await waitUntil('only events about alice to be listed', async () => {
      const shown = await auditTable(page).locator('tbody tr td:nth-child(6)').allInnerTexts();
      return shown.length > 0 && shown.every((s) => s === 'alice');
    });
    // The personal values an event changed, old → new, as the API gives them to a role that may read them.
    const created = auditTable(page).locator('tbody tr', { hasText: 'profile.created' }).first();
    await created.getByText('Details').click();
    expect(await created.locator('dl').innerText()).toMatch(/email\s+—\s*→\s*changed to\s*alice@example\.org/);

    // A time window the wrong way round is refused in words, and nothing is asked for.
    await page.getByLabel('From', { exact: true }).fill('2030-01-02T10:00');
    await page.getByLabel('To', { exact: true }).fill('2030-01-01T10:00');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('"From" must be before "To".').waitFor();
    expect((await auditTable(page).locator('tbody tr td:nth-child(6)').allInnerTexts()).every((s) => s === 'alice')).toBe(true);

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page.getByText(/^The audit chain verifies: \d+ events? checked/).waitFor();
    await expectAccessible(page, 'audit page (admin)');
    await screenshot(page, 'audit-events-admin');
  }, 120_000);

  it('works at 390 px wide', async () => {
    const audit = await openAudit('admin', 390);
    await expectAccessible(audit, 'audit page at 390 px');
    await screenshot(audit, 'audit-events-390');
    await audit.goto(acmePath(`/webhooks/${world.ids.webhookEndpoint}`));
    await deliveriesTable(audit).waitFor();
    await expectAccessible(audit, 'webhook endpoint page at 390 px');
    await screenshot(audit, 'webhooks-endpoint-390');
  }, 120_000);

  it.each([
    ['support', false, false],
    ['viewer', false, false],
    ['auditor', true, false],
    ['owner', true, true],
    ['admin', true, true],
  ] as const)('gives %s the Audit link: %s, the Webhooks link: %s, and a note at a page it may not use', async (role, hasAudit, hasWebhooks) => {
    const page = await open(role);
    await mainNavigation(page).getByRole('link').first().waitFor();
    expect(await navLink(page, 'Audit').count()).toBe(hasAudit ? 1 : 0);
    expect(await navLink(page, 'Webhooks').count()).toBe(hasWebhooks ? 1 : 0);
    for (const [path, heading, allowed, pageName] of [
      ['/audit', 'Audit', hasAudit, 'audit'],
      ['/webhooks', 'Webhooks', hasWebhooks, 'webhooks'],
      [`/webhooks/${world.ids.webhookEndpoint}`, 'Webhook endpoint', hasWebhooks, 'webhook endpoint'],
    ] as const) {
      await page.goto(acmePath(path));
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      if (allowed) continue;
      expect(await page.getByRole('note').innerText()).toContain(`does not include ${pageName}`);
      // Nothing of the page is shown, so no endpoint URL either.
      expect(await mainText(page)).not.toContain(world.receivers.ok.url);
    }
    if (!hasWebhooks) await screenshot(page, `webhooks-refused-${role}`);
  }, 120_000);

  it('sends a test event to a live receiver, shows the delivery and its attempt, and redelivers it as a new delivery', async () => {
    const page = await open('admin');
    await navLink(page, 'Webhooks').click();
    const endpoints = page.getByRole('table', { name: 'Webhook endpoints, oldest first' });
    await endpoints.waitFor();
    expect(await endpoints.locator('tbody tr').count()).toBe(2);
    await expectAccessible(page, 'webhooks page (admin)');
    await screenshot(page, 'webhooks-endpoints-admin');

    await endpoints.getByRole('link', { name: world.receivers.ok.url, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhook endpoint' }).waitFor();
    await deliveriesTable(page).waitFor();
    const received = () => world.receivers.ok.received.filter(isTestEvent);
    const before = received().length;

    await page.getByRole('button', { name: /^Send test event/ }).click();
    await page.getByText(/A test event was queued/).waitFor();
    const testRows = deliveriesTable(page).locator('tbody tr', { hasText: 'webhook.test' });
    // The list refreshes itself while the delivery is pending: no reload here.
    await testRows.filter({ hasText: 'succeeded' }).filter({ hasText: 'HTTP 200' }).waitFor();
    expect(await testRows.count()).toBe(1);
    await waitUntil('the receiver to get the test event', () => received().length === before + 1);

    await testRows.first().getByRole('button', { name: /^Redeliver/ }).click();
    await page.getByText('The webhook.test event was sent again as a new delivery (same event id).').waitFor();
    await waitUntil('two webhook.test deliveries, both succeeded', async () => (await testRows.count()) === 2 && (await testRows.filter({ hasText: 'succeeded' }).count()) === 2);
    await waitUntil('the receiver to get it again', () => received().length === before + 2);
    // The same event, twice: one event id on both rows and in both requests.
    const eventIds = await testRows.locator('td:nth-child(2) .muted code').allInnerTexts();
    expect(new Set(eventIds).size).toBe(1);
    expect(new Set(received().slice(before).map((r) => r.headers['x-ids-event-id']))).toEqual(new Set(eventIds));
    await expectAccessible(page, 'webhook endpoint page (admin)');
    await screenshot(page, 'webhooks-endpoint-admin');
  }, 150_000);

  it('redelivers the failed deliveries of an endpoint since a time', async () => {
    const page = await open('admin');
    await page.goto(acmePath(`/webhooks/${world.ids.failingWebhookEndpoint}`));
    await deliveriesTable(page).waitFor();
    await page.getByLabel('Status').selectOption('FAILED');
    await deliveriesTable(page).locator('tbody tr', { hasText: 'failed' }).first().waitFor();
    const failed = await deliveriesTable(page).locator('tbody tr').count();
    const before = world.receivers.failing.received.length;
    await page.getByRole('button', { name: 'Redeliver failed since…' }).click();
    await page.getByText(new RegExp(`^${failed} failed deliver(y was|ies were) sent again as new deliveries\\.$`)).waitFor();
    await waitUntil('the failing receiver to be asked again', () => world.receivers.failing.received.length > before);
  }, 120_000);

  it('creates an endpoint showing its secret once, rotates the secret (shown once), disables, enables and deletes it after a confirmation', async () => {
    const page = await open('admin');
    await page.goto(acmePath('/webhooks'));
    const endpoints = page.getByRole('table', { name: 'Webhook endpoints, oldest first' });
    await endpoints.waitFor();
    const count = async () => (await asAdmin<{ webhookEndpoints: { nodes: unknown[] } }>('query($c: ID) { webhookEndpoints(customerId: $c, first: 100) { nodes { id } } }', { c: world.customers.acme.id })).webhookEndpoints.nodes.length;
    const before = await count();
    const url = `${world.receivers.ok.url}/created-in-dashboard`;

    // Bad input is refused in words and creates nothing.
    await page.getByLabel('URL', { exact: true }).fill('ftp://example.org/x');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByText('The URL must start with https://.').waitFor();
    await page.getByText('Choose at least one event type.').waitFor();
    expect(await count()).toBe(before);

    await page.getByLabel('URL', { exact: true }).fill(url);
    await page.getByLabel('Description (optional)').fill('Made in the dashboard test');
    await page.getByLabel('profile.updated').check();
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    const secret = await page.getByTestId('shown-once').innerText();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9]{40}$/);
    await endpoints.getByRole('link', { name: url, exact: true }).waitFor();
    expect(await count()).toBe(before + 1);

    // Shown once: not after opening the page again.
    await page.reload();
    await endpoints.getByRole('link', { name: url, exact: true }).waitFor();
    expect(await page.content()).not.toContain(secret);

    const row = endpoints.locator('tbody tr', { hasText: url });
    await row.getByRole('button', { name: /^Rotate secret/ }).click();
    const rotated = await page.getByTestId('shown-once').innerText();
    expect(rotated).toMatch(/^whsec_[A-Za-z0-9]{40}$/);
    expect(rotated).not.toBe(secret);
    await screenshot(page, 'webhooks-secret-shown-once');

    // The new secret signs what the endpoint is sent.
    await row.getByRole('button', { name: /^Send test event/ }).click();
    await page.getByText(/A test event was queued/).waitFor();
    await waitUntil('the new endpoint to receive its test event', () => world.receivers.ok.received.some((r) => isTestEvent(r) && verifyWebhookSignature(r.body, headerOf(r.headers['x-ids-signature']), rotated).ok));

    await row.getByRole('button', { name: /^Disable/ }).click();
    await row.getByText('Disabled', { exact: true }).waitFor();
    expect(await row.getByRole('button', { name: /^Send test event/ }).isDisabled()).toBe(true);
    await row.getByRole('button', { name: /^Enable/ }).click();
    await row.getByText('Enabled', { exact: true }).waitFor();

    await row.getByRole('button', { name: /^Delete/ }).click();
    const confirm = page.getByRole('button', { name: 'Delete for good' });
    await confirm.waitFor();
    expect(await confirm.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await page.getByRole('button', { name: 'Keep it' }).click();
    expect(await count()).toBe(before + 1);
    await row.getByRole('button', { name: /^Delete/ }).click();
    await page.getByRole('button', { name: 'Delete for good' }).click();
    await page.getByText(`${url} was deleted with its deliveries.`).waitFor();
    await waitUntil('the row to go', async () => (await endpoints.getByRole('link', { name: url, exact: true }).count()) === 0);
    expect(await count()).toBe(before);
  }, 150_000);

  it("never shows globex's endpoints or audit events to acme's operators", async () => {
    const globexEndpoint = (
      await asAdmin<{ createWebhookEndpoint: { endpoint: { id: string } } }>(
        'mutation($c: ID!) { createWebhookEndpoint(customerId: $c, input: { url: "http://127.0.0.1:9/globex-secret-hook", events: ["login.succeeded"] }) { endpoint { id } } }',
        { c: world.customers.globex.id },
        world.tokens.platformOwner,
      )
    ).createWebhookEndpoint.endpoint.id;

    const admin = await open('admin');
    // Its own customer's address with globex's endpoint id, and globex's own addresses.
    await admin.goto(acmePath(`/webhooks/${globexEndpoint}`));
    await admin.getByText('There is no such endpoint for this customer').waitFor();
    await admin.goto(`${world.baseUrl}/dashboard/c/${world.customers.globex.id}/webhooks`);
    await admin.getByText('No endpoints yet.').waitFor();
    await admin.goto(`${world.baseUrl}/dashboard/c/${world.customers.globex.id}/audit`);
    await admin.getByText('No audit events match.').waitFor();
    await admin.getByRole('button', { name: 'Verify chain' }).click();
    await admin.getByRole('alert').first().waitFor();
    expect(await mainText(admin)).not.toMatch(/globex-secret-hook|globex-only-user|The audit chain verifies/);

    // The platform-wide owner sees globex's under globex, and not under acme's address.
    const platform = await open('platformOwner');
    await platform.goto(`${world.baseUrl}/dashboard/c/${world.customers.globex.id}/webhooks`);
    await platform.getByRole('link', { name: 'http://127.0.0.1:9/globex-secret-hook' }).waitFor();
    await platform.goto(acmePath(`/webhooks/${globexEndpoint}`));
    await platform.getByText('There is no such endpoint for this customer').waitFor();
    await platform.goto(`${world.baseUrl}/dashboard/c/${world.customers.globex.id}/audit`);
    await auditTable(platform).locator('tbody tr', { hasText: 'globex-only-user' }).first().waitFor();
    expect(await mainText(platform)).not.toMatch(/\balice\b|\bbob\b/);
    await platform.goto(acmePath('/audit'));
    await auditTable(platform).locator('tbody tr', { hasText: 'alice' }).first().waitFor();
    expect(await mainText(platform)).not.toContain('globex-only-user');
  }, 150_000);
});

function isTestEvent(r: { body: string }): boolean {
  try {
    return (JSON.parse(r.body) as { type?: unknown }).type === 'webhook.test';
  } catch {
    return false;
  }
}

function headerOf(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}
