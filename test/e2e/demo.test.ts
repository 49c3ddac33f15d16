import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { demoBanner } from '../../demo/banner';
import { RunningDemo, startDemo } from '../../demo/run-demo';
import { testEnv } from '../support/config';
import { testQueuePrefix } from '../support/env';
import { ROOT } from '../support/process';
import { freePort } from '../support/redis-server';
import { waitUntil } from '../support/wait';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT_DIR = join(ROOT, 'test-output');
const STEP_TIMEOUT_MS = 15_000;

/**
 * The demo as a person would use it, in headless Chromium: the sample RP sends the browser to the
 * service, the service to the sample AW's login page, the AW posts the login back and returns the
 * browser to the service's consent page, and the answer lands at the RP (docs/protocol.md#flow).
 */
describe('the demo in a browser', () => {
  let demo: RunningDemo | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    await waitForChromium();
    const [servicePort, awPort, rpPort] = [await freePort(), await freePort(), await freePort()];
    // No ADMIN_TOKEN, as a newcomer runs it: the demo generates one and prints it.
    const { ADMIN_TOKEN: _unset, ...env } = testEnv({ QUEUE_PREFIX: testQueuePrefix() });
    demo = await startDemo({ servicePort, awPort, rpPort, env });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });
  beforeEach(async () => {
    context = await browser!.newContext();
  });
  afterEach(async () => {
    await context?.close();
  });

  /** From the RP's start page to the AW's login form, then logged in there as `username`. */
  async function signInAtAw(page: Page, username: string, password: string): Promise<void> {
    const { rpUrl, awUrl } = demo!;
    await page.goto(`${rpUrl}/`);
    await page.getByRole('button', { name: 'Sign in with Demo ID' }).click();
    await waitForPage(page, (url) => url.origin === awUrl && url.pathname === '/verify', 'the AW login page');
    expect(await page.locator('main').innerText()).toContain(`Signing in to ${rpUrl}/`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await waitForPage(page, (url) => url.origin === demo!.serviceUrl, 'the consent page of the service, after the PostBack was accepted');
  }

  it('signs alice in at the RP with her email once she logs in at the AW and allows sharing', async () => {
    const { rpUrl, serviceUrl } = demo!;
    const page = await context!.newPage();
    await signInAtAw(page, 'alice', 'wonderland');

    expect(await page.locator('h1').innerText()).toContain('Share your details with');
    expect(await page.locator('body').innerText()).toContain(`${rpUrl}/`);
    const boxes = await page.locator('form[method="post" i] input[type="checkbox"][name="share"]').all();
    const shared = await Promise.all(boxes.map(async (box) => ({ value: await box.getAttribute('value'), checked: await box.isChecked() })));
    expect(shared.map((s) => s.value).sort()).toEqual(['email', 'fullname', 'nickname']);
    expect(shared.every((s) => s.checked)).toBe(true);
    expect(await page.locator('input[type="checkbox"][name="remember"]').count()).toBe(1);
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: join(OUTPUT_DIR, 'consent-page.png'), fullPage: true });

    await page.getByRole('button', { name: 'Allow' }).click();
    await waitForPage(page, (url) => url.origin === rpUrl && url.pathname === '/verify', 'the RP after the assertion');
    const shown = await page.locator('main').innerText();
    expect(shown).toContain(`Signed in as ${serviceUrl}/c/demo/id/alice`);
    expect(shown).toContain('alice@example.org');
  }, 60_000);

  it('prints a curl that lists the sign-ins at the demo RP, as pasted into bash', async () => {
    const page = await context!.newPage();
    await signInAtAw(page, 'alice', 'wonderland');
    await page.getByRole('button', { name: 'Allow' }).click();
    await waitForPage(page, (url) => url.origin === demo!.rpUrl && url.pathname === '/verify', 'the RP after the assertion');

    const banner = demoBanner(demo!);
    expect(demo!.adminToken).toMatch(/^[\w-]{43}$/);
    expect(banner).toContain(`GraphQL API             ${demo!.serviceUrl}/graphql`);
    expect(banner).toContain(`admin token             ${demo!.adminToken}`);
    const signIns = await runPrintedCurl(banner, {});
    expect(signIns).toContainEqual(expect.objectContaining({ username: 'alice', status: 'COMPLETED', outcome: 'id_res' }));

    // With an ADMIN_TOKEN of the operator's own, the banner never echoes it: the curl reads it from the shell.
    const operators = demoBanner({ ...demo!, adminToken: null });
    expect(operators).not.toContain(demo!.adminToken);
    expect(await runPrintedCurl(operators, { ADMIN_TOKEN: demo!.adminToken! })).toContainEqual(expect.objectContaining({ username: 'alice' }));
  }, 60_000);

  it('prints a dashboard token that opens the dashboard on the demo customer, with the sign-ins', async () => {
    const page = await context!.newPage();
    await signInAtAw(page, 'alice', 'wonderland');
    await page.getByRole('button', { name: 'Allow' }).click();
    await waitForPage(page, (url) => url.origin === demo!.rpUrl && url.pathname === '/verify', 'the RP after the assertion');

    const banner = demoBanner(demo!);
    const url = /^ {2}dashboard {15}(\S+)$/m.exec(banner)?.[1];
    const token = /^ {2}dashboard token {9}(\S+) /m.exec(banner)?.[1];
    expect(url).toBe(`${demo!.serviceUrl}/dashboard/`);
    expect(token).toBe(demo!.dashboardToken);
    await page.goto(url!);
    await page.getByLabel('Operator token', { exact: true }).fill(token!);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign-ins', exact: true }).click();
    const row = page.getByRole('row').filter({ hasText: 'alice' }).first();
    await row.waitFor({ timeout: 15_000 });
    expect(await page.locator('header').innerText()).toContain('Demo Website');
    await page.screenshot({ path: join(OUTPUT_DIR, 'dashboard-sign-ins.png'), fullPage: true });
  }, 60_000);

  it('tells bob at the RP that the login was cancelled when he denies sharing', async () => {
    const { rpUrl } = demo!;
    const page = await context!.newPage();
    await signInAtAw(page, 'bob', 'builder');
    expect(await page.locator('h1').innerText()).toContain('Share your details with');

    await page.getByRole('button', { name: 'Deny' }).click();
    await waitForPage(page, (url) => url.origin === rpUrl && url.pathname === '/verify', 'the RP after the negative assertion');
    const shown = await page.locator('main').innerText();
    expect(shown).toContain('The login was cancelled');
    expect(shown).not.toContain('Signed in as');
  }, 60_000);
});

/** Runs the curl command printed in `banner` (from its `curl` line through its continuations) with bash; answers the sign-ins listed. */
async function runPrintedCurl(banner: string, env: Record<string, string>): Promise<unknown[]> {
  const lines = banner.split('\n').map((line) => line.trim());
  const start = lines.findIndex((line) => line.startsWith('curl '));
  expect(start).toBeGreaterThan(0);
  let end = start;
  while (lines[end]!.endsWith('\\')) end++;
  const command = lines.slice(start, end + 1).join('\n');
  const { stdout } = await promisify(execFile)('bash', ['-c', command], { env: { PATH: process.env.PATH ?? '', ...env } });
  const answer = JSON.parse(stdout) as { data?: { authRequests: { nodes: unknown[] } }; errors?: unknown };
  expect(answer.errors).toBeUndefined();
  return answer.data!.authRequests.nodes;
}

/** Waits for the next page, or fails saying where the browser is instead and what it shows. */
async function waitForPage(page: Page, isExpected: (url: URL) => boolean, what: string): Promise<void> {
  try {
    await page.waitForURL(isExpected, { timeout: STEP_TIMEOUT_MS });
  } catch {
    const text = await page.locator('body').innerText({ timeout: 1000 }).catch(() => '(no page text)');
    throw new Error(`expected ${what}, but the browser is at ${page.url()} showing:\n${text.slice(0, 1500)}`);
  }
}

/** Chromium may still be being installed by the package manager when the suite starts. */
async function waitForChromium(): Promise<void> {
  await waitUntil(`${CHROMIUM} to be installed`, () => existsSync(CHROMIUM), { timeoutMs: 240_000, intervalMs: 1000 });
}
