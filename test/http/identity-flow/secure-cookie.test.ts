import { App } from '../../../src/app';
import { createTestCustomer, startPublicTestApp, startTestApp } from '../../support/app';
import { relyingParty } from '../../support/rp';
import { REALM, RETURN_URL } from '../../support/flow';

describe('the binding cookie behind a TLS-terminating proxy', () => {
  let app: App;
  beforeAll(async () => {
    app = await startPublicTestApp({ TRUST_PROXY: 'true' });
    await createTestCustomer(app, 'tls');
  });
  afterAll(() => app.stop());

  it('is marked Secure when the proxy says the browser came over https, and not otherwise', async () => {
    const rp = relyingParty({ returnUrl: RETURN_URL, realm: REALM, stateless: true });
    const authUrl = await rp.start(`${app.config.PUBLIC_URL}/c/tls/`);
    const overTls = await fetch(authUrl, { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
    expect(overTls.headers.getSetCookie()[0]).toMatch(/; Secure;/);
    const plain = await fetch(await rp.start(`${app.config.PUBLIC_URL}/c/tls/`), { redirect: 'manual' });
    expect(plain.headers.getSetCookie()[0]).not.toMatch(/Secure/);
  });
});

describe('the binding cookie in production behind a TLS terminator that sends no X-Forwarded-Proto', () => {
  let app: App;
  beforeAll(async () => {
    // TRUST_PROXY stays false: whether the cookie is Secure follows from the public URL's scheme.
    app = await startTestApp({ NODE_ENV: 'production', PUBLIC_URL: 'https://id.example.test', TRUST_PROXY: 'false' });
    await createTestCustomer(app, 'tlsprod');
  });
  afterAll(() => app.stop());

  it('is marked Secure because PUBLIC_URL is https, though this hop is plain http', async () => {
    const rp = relyingParty({ returnUrl: RETURN_URL, realm: REALM, stateless: true });
    // Discovery names the public (https) endpoint; send the browser's request to this instance directly.
    const authUrl = new URL(await rp.start(`${app.url}/c/tlsprod/`));
    expect(authUrl.origin).toBe('https://id.example.test');
    const hop = await fetch(`${app.url}${authUrl.pathname}${authUrl.search}`, { redirect: 'manual' });
    expect(hop.status).toBe(302);
    const [cookie] = hop.headers.getSetCookie();
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
  });
});
