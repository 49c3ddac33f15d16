import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Browser, Page } from 'playwright-core';
import { App } from '../../src/app';
import { PromptPolicy } from '../../src/customers';
import { createSampleAw } from '../../demo/sample-aw';
import { createSampleRp } from '../../demo/sample-rp';
import { listenOnLoopback } from '../../demo/listen';
import { createTestCustomer, resetDatabase, startPublicTestApp } from './app';
import { launchBrowser } from './dashboard-browser';
import { Person, signInAtRp, SignInResult } from './dashboard-people';
import { testQueuePrefix } from './env';
import { graphql } from './graphql';
import { ROOT } from './process';
import { freePort } from './redis-server';

/**
 * What the privacy center's browser test (test/e2e/privacy-center.test.ts) stands on: a live
 * service (API and workers on queues of its own) with one customer, acme, whose AW is the sample
 * AW and whose one site is the sample RP (the "shop"), and headless Chromium. Lighter than the
 * dashboard's world: nobody has signed in yet; the test makes the sign-ins it needs.
 */
export const CENTER_SCREENSHOT_DIR = join(ROOT, 'test-output', 'privacy-center');

/** The sample AW's users (demo/demo-users.ts) and the values it posts for them. */
export const CENTER_USERS = {
  alice: { username: 'alice', password: 'wonderland', email: 'alice@example.org', fullname: 'Alice Liddell', nickname: 'alice' },
  bob: { username: 'bob', password: 'builder', email: 'bob@example.org', fullname: 'Bob the Builder', nickname: 'bob' },
} as const;
export type CenterUser = (typeof CENTER_USERS)[keyof typeof CENTER_USERS];

export interface CenterWorld {
  app: App;
  /** The service's origin (PUBLIC_URL). */
  baseUrl: string;
  customer: { id: string; slug: 'acme'; apiKey: string; name: string };
  /** `${baseUrl}/c/acme/account` */
  accountUrl: string;
  sites: { awUrl: string; shopRpUrl: string };
  browser: Browser;
  /** A sign-in at the shop RP through the service and the sample AW, over HTTP (dashboard-people.ts). */
  signInAtShop(person: Person): Promise<SignInResult>;
  /** Closes the browser, the sites and the service. Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the world: empties the database first (one world per file, in beforeAll; give it 60 s). */
export async function startPrivacyCenterWorld(): Promise<CenterWorld> {
  await resetDatabase();
  const app = await startPublicTestApp({
    ROLE: 'all',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    QUEUE_PREFIX: `${testQueuePrefix()}-privacy-center-${randomUUID()}`,
    AUDIT_DRAIN_INTERVAL_MS: '100',
  });
  const closers: Array<() => Promise<void>> = [() => app.stop()];
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      const failures: unknown[] = [];
      for (const close of closers.reverse()) await close().catch((err: unknown) => failures.push(err));
      if (failures.length > 0) throw failures[0];
    })();
    return stopping;
  };
  try {
    const baseUrl = new URL(app.config.PUBLIC_URL).origin;
    const [awPort, shopPort] = await Promise.all([freePort(), freePort()]);
    const sites = { awUrl: `http://127.0.0.1:${awPort}`, shopRpUrl: `http://127.0.0.1:${shopPort}` };
    const name = 'Acme Corporation';
    const created = await createTestCustomer(app, 'acme', { name, verifyUrl: `${sites.awUrl}/verify`, trustedRealms: [`${sites.shopRpUrl}/`], promptPolicy: PromptPolicy.PROMPT });
    const customerUrl = `${baseUrl}/c/acme`;
    const aw = await listenOnLoopback(createSampleAw({ postbackUrl: `${customerUrl}/ows_auth`, returnUrl: `${customerUrl}/ows_return`, apiKey: created.apiKey }), awPort);
    closers.push(aw.close);
    const rp = await listenOnLoopback(createSampleRp({ opIdentifier: `${customerUrl}/`, baseUrl: sites.shopRpUrl }), shopPort);
    closers.push(rp.close);
    const browser = await launchBrowser();
    closers.push(() => browser.close());
    const shop = { rpUrl: sites.shopRpUrl, awUrl: sites.awUrl, customerUrl, apiKey: created.apiKey };
    return {
      app,
      baseUrl,
      customer: { id: created.customer.id, slug: 'acme', apiKey: created.apiKey, name },
      accountUrl: `${customerUrl}/account`,
      sites,
      browser,
      signInAtShop: (person) => signInAtRp(shop, person),
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/** What `updatePrivacyCenter` takes (PrivacyCenterInput); absent keys are left as they are. */
export interface PrivacyCenterInput {
  isEnabled?: boolean;
  editableFields?: string[];
  deletionMode?: 'IMMEDIATE' | 'REVIEW';
  displayName?: string | null;
  logoUrl?: string | null;
  accentColor?: string | null;
  privacyPolicyUrl?: string | null;
  languages?: string[];
}

/** Changes acme's privacy center through the API, as an integrator does; fails on any error. */
export async function updatePrivacyCenter(world: CenterWorld, input: PrivacyCenterInput): Promise<Record<string, unknown>> {
  const answer = await graphql<{ updatePrivacyCenter: { customer: { privacyCenter: Record<string, unknown> } } }>(
    world.baseUrl,
    `mutation($c: ID!, $i: PrivacyCenterInput!) { updatePrivacyCenter(customerId: $c, input: $i) {
      customer { privacyCenter { isEnabled editableFields deletionMode displayName logoUrl accentColor privacyPolicyUrl languages } } } }`,
    { c: world.customer.id, i: input },
  );
  if (answer.errors || !answer.data) throw new Error(`updatePrivacyCenter failed: ${JSON.stringify(answer.errors)}`);
  return answer.data.updatePrivacyCenter.customer.privacyCenter;
}

/**
 * In the browser: opens the person's page signed out, follows "Sign in" to the customer's AW (the
 * sample AW's form, which says the sign-in is for managing one's data), logs in there, and waits
 * until the service has brought the browser back to the overview (its "Sign out" button).
 */
export async function signInToAccount(page: Page, world: CenterWorld, user: { username: string; password: string }): Promise<void> {
  await page.goto(world.accountUrl);
  await expectShown(page, 'the sign-in link of the signed-out page', () => signInControl(page).waitFor());
  await signInControl(page).click();
  await expectShown(page, "the sample AW's login form", () => page.waitForURL((url) => url.origin === world.sites.awUrl && url.pathname === '/verify'));
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expectShown(page, 'the overview of the signed-in person', async () => {
    await page.waitForURL((url) => url.origin === world.baseUrl && url.pathname === '/c/acme/account');
    await signOutButton(page).waitFor();
  });
}

/** The signed-out page's way in: a link or a button named "Sign in" (in any of the center's languages). */
export function signInControl(page: Page) {
  return page.getByRole('link', { name: /^(sign in|anmelden)/i }).or(page.getByRole('button', { name: /^(sign in|anmelden)/i })).first();
}

/** The overview's "Sign out" button (present only while signed in). */
export function signOutButton(page: Page) {
  return page.getByRole('button', { name: /^(sign out|abmelden)$/i });
}

/** Saves a full-page PNG as test-output/privacy-center/<name>.png; answers its path. */
export async function centerScreenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9][a-z0-9-]{0,99}$/.test(name)) throw new Error(`screenshot names are lower-case letters, digits and dashes, got ${JSON.stringify(name)}`);
  mkdirSync(CENTER_SCREENSHOT_DIR, { recursive: true });
  const path = join(CENTER_SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Runs `wait`; if it fails, fails saying what was awaited, where the browser is and what it shows. */
export async function expectShown(page: Page, what: string, wait: () => Promise<unknown>): Promise<void> {
  try {
    await wait();
  } catch (err) {
    const text = await page.locator('body').innerText({ timeout: 1000 }).catch(() => '(no page text)');
    throw new Error(`expected ${what}, but the browser is at ${page.url()} showing:\n${text.slice(0, 1500)}\n(${(err as Error).message.split('\n')[0]})`);
  }
}
