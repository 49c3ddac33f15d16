import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { ImmediateLogin } from '../../support/login-double';
import { associate, browserGet, discover, npmOpenid, relyingParty } from '../../support/rp';

const RETURN_URL = 'http://rp.example.org/finish?sid=42';
const REALM = 'http://rp.example.org/';

describe('the OP endpoint with the npm openid package as the relying party', () => {
  let app: App;
  let base: string;
  const login = new ImmediateLogin();

  beforeAll(async () => {
    app = await startPublicTestApp({}, { loginStep: login });
    base = app.config.PUBLIC_URL;
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    await createTestCustomer(app, 'acme');
    login.decision = 'authenticated';
  });

  /** Runs the browser hop: our endpoint answers the checkid with a redirect to return_to. */
  async function assertionFor(authUrl: string): Promise<string> {
    const hop = await browserGet(authUrl);
    expect(hop.status).toBe(302);
    expect(hop.location!.startsWith('http://rp.example.org/finish?sid=42&')).toBe(true);
    return hop.location!;
  }

  it('is discovered through its OP identifier (Yadis XRDS)', async () => {
    const providers = await discover(`${base}/c/acme/`);
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({ endpoint: `${base}/c/acme/openid`, version: 'http://specs.openid.net/auth/2.0' });
    expect(providers[0]!.claimedIdentifier).toBeUndefined();
  });

  it('is discovered through a claimed identifier, with its local id', async () => {
    const providers = await discover(`${base}/c/acme/id/alice`);
    expect(providers[0]).toMatchObject({
      endpoint: `${base}/c/acme/openid`,
      version: 'http://specs.openid.net/auth/2.0',
      claimedIdentifier: `${base}/c/acme/id/alice`,
      localIdentifier: `${base}/c/acme/id/alice`,
    });
  });

  it.each(['DH-SHA256', 'DH-SHA1'] as const)('associates with %s and the RP verifies the signed assertion (smart mode)', async (algorithm) => {
    const [provider] = await discover(`${base}/c/acme/`);
    const association = await associate(provider!, algorithm);
    expect(association.assoc_type).toBe(algorithm === 'DH-SHA256' ? 'HMAC-SHA256' : 'HMAC-SHA1');
    const rp = relyingParty({ returnUrl: RETURN_URL, realm: REALM, extensions: [new npmOpenid.SimpleRegistration({ email: 'required', nickname: 'optional' })] });
    // The RP associates on its own (DH-SHA256); point its request at the association made above.
    const authUrl = new URL(await rp.start(`${base}/c/acme/`));
    authUrl.searchParams.set('openid.assoc_handle', association.assoc_handle!);
    const assertion = await assertionFor(authUrl.toString());
    const signedWith = new URL(assertion).searchParams;
    expect(signedWith.get('openid.assoc_handle')).toBe(association.assoc_handle);
    expect(signedWith.get('openid.invalidate_handle')).toBeNull();
    const result = await rp.verify(assertion);
    expect(result).toMatchObject({ authenticated: true, claimedIdentifier: `${base}/c/acme/id/alice`, email: 'alice@example.com', nickname: 'alice' });
    expect(result.fullname).toBeUndefined();
  });

  it('lets a stateless RP verify once through check_authentication and refuses a replay', async () => {
    const rp = relyingParty({ returnUrl: RETURN_URL, realm: REALM, stateless: true });
    const assertion = await assertionFor(await rp.start(`${base}/c/acme/`));
    expect(new URL(assertion).searchParams.get('openid.invalidate_handle')).toBeNull();
    expect(await rp.verify(assertion)).toMatchObject({ authenticated: true, claimedIdentifier: `${base}/c/acme/id/alice` });

    // A second RP process (no shared nonce cache) presents the same assertion again: we refuse it.
    const check = new URLSearchParams(new URL(assertion).searchParams);
    check.set('openid.mode', 'check_authentication');
    for (const key of [...check.keys()]) if (!key.startsWith('openid.')) check.delete(key);
    const res = await fetch(`${base}/c/acme/openid`, { method: 'POST', body: check });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ns:http://specs.openid.net/auth/2.0\nis_valid:false\n');
  });

  it('refuses an assertion with a tampered signed field, in both modes', async () => {
    for (const stateless of [false, true]) {
      const rp = relyingParty({ returnUrl: RETURN_URL, realm: REALM, stateless, extensions: [new npmOpenid.SimpleRegistration({ email: 'required' })] });
      const assertion = new URL(await assertionFor(await rp.start(`${base}/c/acme/`)));
      assertion.searchParams.set('openid.sreg.email', 'mallory@example.com');
      await expect(rp.verify(assertion.toString())).rejects.toThrow(/signature|invalid/i);
    }
  });

  it('releases attribute exchange values the RP asked for', async () => {
    const rp = relyingParty({
      returnUrl: RETURN_URL,
      realm: REALM,
      extensions: [new npmOpenid.AttributeExchange({ 'http://axschema.org/contact/email': 'required', 'http://axschema.org/namePerson': 'optional' })],
    });
    const result = await rp.verify(await assertionFor(await rp.start(`${base}/c/acme/`)));
    expect(result).toMatchObject({ authenticated: true, email: 'alice@example.com', fullname: 'Alice Liddell' });
  });

  it('signs privately and says invalidate_handle when the RP sends a handle we do not know', async () => {
    const rp = relyingParty({ returnUrl: RETURN_URL, realm: REALM, stateless: true });
    const authUrl = new URL(await rp.start(`${base}/c/acme/`));
    authUrl.searchParams.set('openid.assoc_handle', '{HMAC-SHA256}{0}{AAAAAAAAAAAAAAAA}');
    const assertion = new URL(await assertionFor(authUrl.toString()));
    expect(assertion.searchParams.get('openid.invalidate_handle')).toBe('{HMAC-SHA256}{0}{AAAAAAAAAAAAAAAA}');
    expect(assertion.searchParams.get('openid.assoc_handle')).not.toBe('{HMAC-SHA256}{0}{AAAAAAAAAAAAAAAA}');
    expect(await rp.verify(assertion.toString())).toMatchObject({ authenticated: true });
  });

  it('treats an association it can no longer open (sealed under an old SECRET_KEY) as unknown', async () => {
    const [acme] = await discover(`${base}/c/acme/`);
    const { assoc_handle: handle } = await associate(acme!, 'DH-SHA256');
    await ownerSql(`update openid_association set secret = ? where handle = ?`, [Buffer.alloc(60, 7), handle]);
    const rp = relyingParty({ returnUrl: RETURN_URL, realm: REALM, stateless: true });
    const authUrl = new URL(await rp.start(`${base}/c/acme/`));
    authUrl.searchParams.set('openid.assoc_handle', handle!);
    const assertion = new URL(await assertionFor(authUrl.toString()));
    expect(assertion.searchParams.get('openid.invalidate_handle')).toBe(handle);
    expect(await rp.verify(assertion.toString())).toMatchObject({ authenticated: true });
  });

  it('does not honour an association made with another customer', async () => {
    await createTestCustomer(app, 'globex');
    const [acme] = await discover(`${base}/c/acme/`);
    const { assoc_handle: acmeHandle } = await associate(acme!, 'DH-SHA256');
    const rp = relyingParty({ returnUrl: RETURN_URL, realm: REALM, stateless: true });
    const authUrl = new URL(await rp.start(`${base}/c/globex/`));
    authUrl.searchParams.set('openid.assoc_handle', acmeHandle!);
    const assertion = new URL(await assertionFor(authUrl.toString()));
    expect(assertion.searchParams.get('openid.assoc_handle')).not.toBe(acmeHandle);
    expect(assertion.searchParams.get('openid.invalidate_handle')).toBe(acmeHandle);
    expect(assertion.searchParams.get('openid.claimed_id')).toBe(`${base}/c/globex/id/alice`);
  });

  it('answers a cancel and setup_needed as the login step decides, unsigned and without identifiers', async () => {
    const rp = relyingParty({ returnUrl: RETURN_URL, realm: REALM, stateless: true });
    login.decision = 'cancel';
    const cancel = new URL(await assertionFor(await rp.start(`${base}/c/acme/`)));
    expect(Object.fromEntries(cancel.searchParams)).toEqual({ sid: '42', 'openid.ns': 'http://specs.openid.net/auth/2.0', 'openid.mode': 'cancel' });
    login.decision = 'setup_needed';
    const immediate = new URL(await assertionFor(await rp.start(`${base}/c/acme/`, true)));
    expect(immediate.searchParams.get('openid.mode')).toBe('setup_needed');
  });
});
