import { App } from '../../../src/app';
import { createTestCustomer, startPublicTestApp } from '../../support/app';
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
