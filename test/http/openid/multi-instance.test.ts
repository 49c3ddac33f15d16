import { App } from '../../../src/app';
import { createTestCustomer, resetDatabase, startPublicTestApp } from '../../support/app';
import { ImmediateLogin } from '../../support/login-double';
import { associate, browserGet, discover, relyingParty } from '../../support/rp';

const RETURN_URL = 'http://rp.example.org/finish';

/** Two API instances behind one public name share associations and nonces through PostgreSQL only. */
describe('two API instances sharing the database', () => {
  let a: App;
  let b: App;

  beforeAll(async () => {
    a = await startPublicTestApp({}, { loginStep: new ImmediateLogin() });
    b = await startPublicTestApp({}, { loginStep: new ImmediateLogin(), publicUrl: a.config.PUBLIC_URL });
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
    await createTestCustomer(a, 'acme');
  });

  /** The same request, sent to instance B instead of the public name (instance A). */
  const viaB = (url: string) => url.replace(a.url!, b.url!);

  it('signs at B with an association made at A, and the RP verifies it', async () => {
    const [provider] = await discover(`${a.config.PUBLIC_URL}/c/acme/`);
    const { assoc_handle: handle } = await associate(provider!, 'DH-SHA256');
    const rp = relyingParty({ returnUrl: RETURN_URL });
    const authUrl = new URL(await rp.start(`${a.config.PUBLIC_URL}/c/acme/`));
    authUrl.searchParams.set('openid.assoc_handle', handle!);
    const hop = await browserGet(viaB(authUrl.toString()));
    expect(new URL(hop.location!).searchParams.get('openid.assoc_handle')).toBe(handle);
    expect(await rp.verify(hop.location!)).toMatchObject({ authenticated: true });
  });

  it('verifies at A an assertion issued by B once, and refuses it at B afterwards', async () => {
    const rp = relyingParty({ returnUrl: RETURN_URL, stateless: true });
    const hop = await browserGet(viaB(await rp.start(`${a.config.PUBLIC_URL}/c/acme/`)));
    const check = new URLSearchParams([...new URL(hop.location!).searchParams].filter(([k]) => k.startsWith('openid.')));
    check.set('openid.mode', 'check_authentication');
    const verify = async (app: App) => (await fetch(`${app.url}/c/acme/openid`, { method: 'POST', body: check })).text();
    expect(await verify(a)).toContain('is_valid:true\n');
    expect(await verify(b)).toContain('is_valid:false\n');
    expect(await verify(a)).toContain('is_valid:false\n');
  });

  it('gives exactly one positive answer when both instances verify the same assertion at once', async () => {
    const rp = relyingParty({ returnUrl: RETURN_URL, stateless: true });
    for (let round = 0; round < 5; round++) {
      const hop = await browserGet(await rp.start(`${a.config.PUBLIC_URL}/c/acme/`));
      const check = new URLSearchParams([...new URL(hop.location!).searchParams].filter(([k]) => k.startsWith('openid.')));
      check.set('openid.mode', 'check_authentication');
      const answers = await Promise.all(
        [a, b, a, b].map(async (app) => (await fetch(`${app.url}/c/acme/openid`, { method: 'POST', body: check })).text()),
      );
      expect(answers.filter((text) => text.includes('is_valid:true\n'))).toHaveLength(1);
    }
  });
});
