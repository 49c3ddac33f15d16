import { randomUUID } from 'node:crypto';
import { App } from '../../../src/app';
import { createTestCustomer, resetDatabase, startPublicTestApp } from '../../support/app';
import { enablePrivacyCenter, sameOrigin, signInToAccount } from '../../support/account';
import { accountPage, cellsOf, csrfOf } from '../../support/account-pages';
import { testQueuePrefix } from '../../support/env';
import { Browser } from '../../support/flow';
import { signIn } from '../../support/sign-ins';

const XSS = '<script>alert(1)</script>';
const SETTINGS = {
  editableFields: ['fullname', 'nickname'],
  displayName: 'Acme Privacy',
  logoUrl: 'https://cdn.acme.example/logo.png',
  accentColor: '#0a7f5a',
  privacyPolicyUrl: 'https://acme.example/privacy',
  languages: ['en', 'de'],
};

/** The privacy center's pages (issue 22) over HTTP, after a real sign-in through the customer's AW. */
describe('privacy center pages (/c/{slug}/account)', () => {
  let app: App;
  let apiKey: string;

  beforeAll(async () => {
    app = await startPublicTestApp({
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      QUEUE_PREFIX: `${testQueuePrefix()}-pages-${randomUUID().slice(0, 8)}`,
      RATE_LIMIT_ACCOUNT_SIGN_IN_PER_ADDRESS: '1000',
    });
  }, 60_000);
  afterAll(() => app?.stop());
  beforeEach(async () => {
    await resetDatabase();
    ({ apiKey } = await createTestCustomer(app, 'acme'));
    await enablePrivacyCenter(app, 'acme', SETTINGS);
  });

  it('shows the signed-out start page with the sign-in button, branded, without any script', async () => {
    const page = await accountPage(app, new Browser());
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain('href="/c/acme/account/sign-in?lang=en"');
    expect(page.body).toContain('Acme Privacy');
    expect(page.body).toContain('<img src="https://cdn.acme.example/logo.png" alt="Logo of Acme Privacy">');
    expect(page.body).toContain('--accent:#0a7f5a');
    expect(page.body).toContain('href="https://acme.example/privacy"');
    expect(page.body).not.toMatch(/<script/i);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain('img-src https://cdn.acme.example');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const cancelled = await accountPage(app, new Browser(), 'acme', '?signin=cancelled');
    expect(cancelled.body).toContain('The sign-in was cancelled.');
  });

  it('shows the person every stored attribute with its source, their sites and sign-ins, and forms for editable fields only', async () => {
    await signIn(app, 'acme', apiKey, 'allow_remember', 'alice');
    const { browser } = await signInToAccount(app, 'acme', apiKey, 'alice', { sreg_fullname: 'Alice Example', sreg_country: 'DE' });
    const page = await accountPage(app, browser);
    expect(page.body).toContain('<h2 id="data-heading">Your data</h2>');
    expect(page.body).toContain('alice@example.org');
    expect(page.body).toContain('Alice Example');
    expect(cellsOf(page.body)).toMatch(/Full name<\/th><td>Alice Example<\/td><td>Your sign-in<\/td><td>[^<]+UTC<\/td>/);
    // The correction form offers the editable fields only.
    expect(page.body).toContain('name="fullname"');
    expect(page.body).toContain('name="nickname"');
    expect(page.body).not.toContain('name="email"');
    expect(page.body).not.toContain('name="country"');
    // The site the person shared data with, with its withdraw button, and the sign-ins (the RP's and this one).
    // (The sample RP asks for no attributes: nothing was shared.)
    expect(cellsOf(page.body)).toMatch(/<td>http:\/\/rp\.example\.org\/<\/td><td>Allowed<\/td><td>Nothing<\/td><td>[^<]+UTC<\/td><td>✓<\/td>/);
    expect(page.body).toMatch(/\/c\/acme\/account\/consents\/[0-9a-f-]{36}\/withdraw/);
    expect(page.body).toContain('<h2 id="sign-ins-heading">Recent sign-ins</h2>');
    expect(page.body).toContain('This privacy center');
    expect(cellsOf(page.body)).toMatch(/<td>[^<]+UTC<\/td><td>http:\/\/rp\.example\.org\/<\/td><td>Nothing<\/td>/);
    expect(page.body).toContain('You have made no requests.');
    expect(page.body).toContain('action="/c/acme/account/sign-out"');
  });

  it('escapes a hostile value the AW posted on every page', async () => {
    const { browser } = await signInToAccount(app, 'acme', apiKey, 'mallory', { sreg_fullname: XSS, sreg_nickname: `"><img src=x onerror=alert(1)>` });
    for (const path of ['', '/delete']) {
      const page = await accountPage(app, browser, 'acme', path);
      expect(page.body).not.toContain(XSS);
      expect(page.body).not.toContain('<img src=x');
      expect(page.body).not.toMatch(/<script/i);
    }
    const overview = await accountPage(app, browser);
    expect(overview.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(overview.body).toContain('value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
  });

  it('speaks German for Accept-Language: de when the customer offers it, and ?lang= overrides the browser', async () => {
    const { browser } = await signInToAccount(app, 'acme', apiKey, 'alice');
    const german = await accountPage(app, browser, 'acme', '', { 'accept-language': 'de-CH, de;q=0.9, en;q=0.5' });
    expect(german.body).toContain('<html lang="de">');
    expect(german.body).toContain('Ihre Daten');
    expect(german.body).toContain('Meine Daten herunterladen');
    expect(german.headers.get('content-language')).toBe('de');
    const english = await accountPage(app, browser, 'acme', '?lang=en', { 'accept-language': 'de' });
    expect(english.body).toContain('<html lang="en">');
    expect(english.body).toContain('Your data');
    // A refusal speaks the person's language too, and changes nothing.
    const refused = await browser.postForm(`${app.url}/c/acme/account/profile`, [['csrf', csrfOf(german.body)], ['email', 'x@example.org']], { ...sameOrigin(app), 'accept-language': 'de' });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('Das Feld E-Mail-Adresse kann hier nicht berichtigt werden.');
    const signedOut = await accountPage(app, new Browser(), 'acme', '', { 'accept-language': 'de' });
    expect(signedOut.body).toContain('Melden Sie sich an, um Ihre Daten zu sehen');
    // A customer that offers English only answers English whatever the browser prefers.
    await enablePrivacyCenter(app, 'acme', { ...SETTINGS, languages: ['en'] });
    expect((await accountPage(app, browser, 'acme', '', { 'accept-language': 'de' })).body).toContain('<html lang="en">');
  });

  it('answers the same 404 page for a closed center and an unknown customer, signed in or not', async () => {
    const { browser } = await signInToAccount(app, 'acme', apiKey, 'alice');
    await enablePrivacyCenter(app, 'acme', { ...SETTINGS, isEnabled: false });
    const closed = await browser.get(`${app.url}/c/acme/account`);
    const unknown = await browser.get(`${app.url}/c/nobody-here/account`);
    expect(closed.status).toBe(404);
    expect(unknown.status).toBe(404);
    const strip = (html: string) => html.replace(/Reference: [0-9a-f-]+/, '');
    expect(strip(closed.body)).toBe(strip(unknown.body));
    expect(closed.body).not.toContain('Acme');
    for (const path of ['/delete', `/exports/${randomUUID()}`]) expect((await browser.get(`${app.url}/c/acme/account${path}`)).status).toBe(404);
  });
});
