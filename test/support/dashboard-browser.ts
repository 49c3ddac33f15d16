import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { ROOT } from './process';

/**
 * Headless Chromium for the dashboard's tests: a tab per operator (its own cookies), signed in
 * through the dashboard's own form, with every Content-Security-Policy violation the page reports
 * collected; axe-core checks and full-page screenshots under test-output/dashboard/.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(ROOT, 'test-output', 'dashboard');
/** How long one step (a click, a wait for an element) may take before the test fails. */
export const STEP_TIMEOUT_MS = 15_000;
/** The WCAG levels the dashboard is held to (issue 21, item 4). */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The widths the dashboard must work at (issue 21, item 4): a laptop and a phone. */
export type DashboardWidth = 1280 | 390;
const VIEWPORTS: Record<DashboardWidth, { width: number; height: number }> = { 1280: { width: 1280, height: 800 }, 390: { width: 390, height: 844 } };

export interface DashboardTab {
  context: BrowserContext;
  page: Page;
  /** Every CSP violation the page reported (directive and blocked URI), and CSP console errors. */
  cspViolations: string[];
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/**
 * A new browser context (no cookies) and page at `width`, reporting CSP violations to the test from
 * before the page's own code runs. For tests of the sign-in page itself; `openDashboard` signs in.
 */
export interface TabOptions {
  width?: DashboardWidth;
  /** Instead of STEP_TIMEOUT_MS. */
  stepTimeoutMs?: number;
  /** The viewer's IANA time zone (dates are shown in it), e.g. 'Asia/Tokyo'; default the machine's. */
  timezoneId?: string;
  /** Browser permissions for every origin, e.g. ['clipboard-read', 'clipboard-write'] to check a copy button. */
  permissions?: string[];
  /** The browser's language, e.g. 'de-DE': its Accept-Language header and navigator.language. */
  locale?: string;
}

export async function openTab(browser: Browser, options: TabOptions = {}): Promise<DashboardTab> {
  const context = await browser.newContext({ viewport: VIEWPORTS[options.width ?? 1280], timezoneId: options.timezoneId, permissions: options.permissions, locale: options.locale });
  const cspViolations: string[] = [];
  await context.exposeFunction('reportCspViolation', (text: string) => cspViolations.push(text));
  // Page code, as a string: the tests' tsconfig has no DOM types.
  await context.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (e) => window.reportCspViolation(e.violatedDirective + ' ' + e.blockedURI));",
  });
  const page = await context.newPage();
  page.setDefaultTimeout(options.stepTimeoutMs ?? STEP_TIMEOUT_MS);
  page.on('console', (message) => {
    if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  return { context, page, cspViolations };
}

/**
 * Opens `${baseUrl}/dashboard/` in a new tab and signs in with `token` through the dashboard's form
 * (a password input labelled "Operator token", a "Sign in" button); resolves once the main
 * navigation (role navigation, name "Main") is shown. Fails with what the page shows instead.
 */
export async function openDashboard(browser: Browser, world: { baseUrl: string }, token: string, options: TabOptions = {}): Promise<DashboardTab> {
  const tab = await openTab(browser, options);
  try {
    await tab.page.goto(`${world.baseUrl}/dashboard/`);
    await signInToDashboard(tab.page, token);
    return tab;
  } catch (err) {
    await tab.context.close();
    throw err;
  }
}

/** On the dashboard's sign-in page: pastes `token`, signs in, and waits for the main navigation. */
export async function signInToDashboard(page: Page, token: string): Promise<void> {
  const input = page.getByLabel('Operator token', { exact: true });
  await describeFailure(page, 'the sign-in form (an input labelled "Operator token")', () => input.waitFor());
  // The token is a secret: typed into a field that never shows it.
  const type = await input.getAttribute('type');
  if (type !== 'password') throw new Error(`the "Operator token" input is type ${JSON.stringify(type)}, not password`);
  await input.fill(token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await describeFailure(page, 'the main navigation after sign-in', () => mainNavigation(page).waitFor());
}

/** The dashboard's main navigation landmark. */
export function mainNavigation(page: Page) {
  return page.getByRole('navigation', { name: 'Main', exact: true });
}

/**
 * Everything the page's JavaScript can read that could hold a secret: document.cookie, localStorage
 * and sessionStorage, as one string, for asserting that a token or session never lands there.
 */
export async function scriptReadableState(page: Page): Promise<string> {
  return page.evaluate(
    "JSON.stringify({ cookie: document.cookie, local: Object.entries(localStorage), session: Object.entries(sessionStorage) })",
  );
}

/**
 * Runs axe-core on the page as it is now (WCAG 2.1 A and AA) and fails, naming `label`, with each
 * violated rule, its impact, and up to five of the offending elements with axe's summary.
 */
export async function expectAccessible(page: Page, label: string, options: { exclude?: string[]; isFrameless?: boolean } = {}): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags(AXE_TAGS);
  // A page without frames needs none of axe's frame aggregation, which opens a blank page per run
  // (half of each run's time): its "legacy mode" checks the one document in place. Neither the
  // dashboard nor the privacy center has a frame, so that is the default whenever the page has none.
  if (options.isFrameless ?? page.frames().length === 1) builder = builder.setLegacyMode(true);
  for (const selector of options.exclude ?? []) builder = builder.exclude(selector);
  const { violations } = await builder.analyze();
  if (violations.length === 0) return;
  const lines = violations.map((v) => {
    const nodes = v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}: ${(n.failureSummary ?? '').replace(/\s*\n\s*/g, '; ')}`);
    const more = v.nodes.length > 5 ? [`    … and ${v.nodes.length - 5} more`] : [];
    return [`  ${v.id} (${v.impact ?? 'no impact given'}): ${v.help} [${v.helpUrl}]`, ...nodes, ...more].join('\n');
  });
  throw new Error(`${label}: ${violations.length} accessibility rule(s) violated at ${page.url()}\n${lines.join('\n')}`);
}

/** Saves a full-page PNG as test-output/dashboard/<name>.png (name: lower-case letters, digits, dashes); answers its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]{0,99}$/.test(name)) throw new Error(`screenshot names are lower-case letters, digits and dashes, got ${JSON.stringify(name)}`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Runs `wait`; if it fails, fails saying what was awaited, where the browser is and what it shows. */
async function describeFailure(page: Page, what: string, wait: () => Promise<unknown>): Promise<void> {
  try {
    await wait();
  } catch (err) {
    const text = await page.locator('body').innerText({ timeout: 1000 }).catch(() => '(no page text)');
    throw new Error(`expected ${what}, but the browser is at ${page.url()} showing:\n${text.slice(0, 1500)}\n(${(err as Error).message.split('\n')[0]})`);
  }
}
