import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import * as client from 'openid-client';
import { Browser, chromium, Page } from 'playwright-core';
import { createSampleAw } from '../../demo/sample-aw';
import { listenOnLoopback, Listening } from '../../demo/listen';
import { App } from '../../src/app';
import { escapeMarkup } from '../../src/openid';
import { createTestCustomer, resetDatabase, startPublicTestApp } from '../support/app';
import { ROOT } from '../support/process';
import { registerRp } from '../support/oidc-flow';
import { waitUntil } from '../support/wait';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT_DIR = join(ROOT, 'test-output', 'oidc');
const STEP_TIMEOUT_MS = 15_000;

/**
 * An OpenID Connect sign-in as a person goes through it, in headless Chromium: a relying party built
 * on the npm `openid-client` sends the browser to the service, the service to the sample AW's real
 * login page, the AW posts the login back and returns the browser to the service's consent page, and
 * the RP redeems the code, validates the ID token and reads UserInfo.
 */
describe('an OpenID Connect sign-in in a browser', () => {
  let app: App;
  let aw: Listening;
  let rp: Listening;
  let browser: Browser;

  beforeAll(async () => {
    await waitUntil(`${CHROMIUM} to be installed`, () => existsSync(CHROMIUM), { timeoutMs: 240_000, intervalMs: 1000 });
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    await resetDatabase();
    const awApp = express();
    aw = await listenOnLoopback(awApp, 0);
    const { apiKey, customer } = await createTestCustomer(app, 'acme', { verifyUrl: `${aw.url}/verify`, name: 'Acme Shop' });
    awApp.use(createSampleAw({ postbackUrl: `${app.url}/c/acme/ows_auth`, returnUrl: `${app.url}/c/acme/ows_return`, apiKey }));

    const rpApp = express();
    rp = await listenOnLoopback(rpApp, 0);
    const registered = await registerRp(app, customer.id, { name: 'Example Books', redirectUris: [`${rp.url}/callback`], scopes: ['openid', 'email', 'profile'] });
    const config = await client.discovery(new URL(`${app.url}/c/acme`), registered.clientId, registered.clientSecret!, client.ClientSecretBasic(registered.clientSecret!), {
      execute: [client.allowInsecureRequests],
    });
    rpApp.use(relyingParty(config, rp.url));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await rp?.close();
    await aw?.close();
    await app?.stop();
  });

  it('signs alice in at the RP with only the email she agreed to share', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${rp.url}/login`);
      await waitForPage(page, (url) => url.origin === aw.url && url.pathname === '/verify', 'the AW login page');
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill('wonderland');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await waitForPage(page, (url) => url.origin === app.url, 'the consent page of the service');

      expect(await page.locator('h1').innerText()).toBe('Share your details with Example Books?');
      expect(await page.locator('main').innerText()).toContain('Acme Shop account');
      // Only email is left ticked: the name the AW also supplied stays with the service.
      for (const box of await page.locator('input[type="checkbox"][name="share"]').all()) {
        if ((await box.getAttribute('value')) !== 'email') await box.uncheck();
      }
      mkdirSync(OUTPUT_DIR, { recursive: true });
      await page.screenshot({ path: join(OUTPUT_DIR, 'consent-page.png'), fullPage: true });
      await page.getByRole('button', { name: 'Allow' }).click();

      await waitForPage(page, (url) => url.origin === rp.url && url.pathname === '/callback', 'the RP after the code exchange');
      const shown = await page.locator('main').innerText();
      expect(shown).toContain('Signed in as alice');
      expect(shown).toContain('"email": "alice@example.org"');
      expect(shown).not.toContain('"name"');
      await page.screenshot({ path: join(OUTPUT_DIR, 'relying-party.png'), fullPage: true });
    } finally {
      await context.close();
    }
  }, 60_000);
});

/** A relying party of a few lines on `openid-client`: /login sends the browser away, /callback redeems the code. */
function relyingParty(config: client.Configuration, baseUrl: string): express.Router {
  const router = express.Router();
  const pending = new Map<string, { verifier: string; nonce: string }>();
  router.get('/login', async (_req, res) => {
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    pending.set(state, { verifier, nonce });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: `${baseUrl}/callback`,
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
    });
    res.redirect(302, url.toString());
  });
  router.get('/callback', async (req, res) => {
    const current = new URL(req.originalUrl, baseUrl);
    const state = current.searchParams.get('state') ?? '';
    const checks = pending.get(state);
    pending.delete(state);
    try {
      if (!checks) throw new Error('unknown state');
      const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: checks.verifier, expectedNonce: checks.nonce, expectedState: state });
      const sub = tokens.claims()!.sub;
      const info = await client.fetchUserInfo(config, tokens.access_token, sub);
      res.type('html').send(`<!DOCTYPE html><html lang="en"><head><title>Example Books</title></head><body><main><h1>Signed in as ${escapeMarkup(sub)}</h1><pre>${escapeMarkup(JSON.stringify(info, null, 2))}</pre></main></body></html>`);
    } catch (err) {
      res.status(400).type('html').send(`<!DOCTYPE html><html lang="en"><head><title>Example Books</title></head><body><main><h1>Sign-in failed</h1><p>${escapeMarkup(String(err))} ${escapeMarkup(JSON.stringify((err as { cause?: unknown }).cause ?? ''))}</p></main></body></html>`);
    }
  });
  return router;
}

async function waitForPage(page: Page, isExpected: (url: URL) => boolean, what: string): Promise<void> {
  try {
    await page.waitForURL(isExpected, { timeout: STEP_TIMEOUT_MS });
  } catch {
    const text = await page.locator('body').innerText({ timeout: 1000 }).catch(() => '(no page text)');
    throw new Error(`expected ${what}, but the browser is at ${page.url()} showing:\n${text.slice(0, 1500)}`);
  }
}
