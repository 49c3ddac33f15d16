import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
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
    demo = await startDemo({
      servicePort,
      awPort,
      rpPort,
      env: testEnv({ QUEUE_PREFIX: testQueuePrefix() }),
    });
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
