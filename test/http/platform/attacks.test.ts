import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { Browser, postback, REALM, RETURN_URL, startLogin } from '../../support/flow';
import { openedProfiles } from '../../support/sealed';

const NS = 'http://specs.openid.net/auth/2.0';
const EVIL = 'https://evil.example/steal';

function checkid(base: string, overrides: Record<string, string>): string {
  const params = new URLSearchParams({
    'openid.ns': NS,
    'openid.mode': 'checkid_setup',
    'openid.claimed_id': `${NS}/identifier_select`,
    'openid.identity': `${NS}/identifier_select`,
    'openid.return_to': RETURN_URL,
    'openid.realm': REALM,
    ...overrides,
  });
  return `${base}/c/acme/openid?${params}`;
}

const goesToEvil = (location: string | null) => location !== null && new URL(location, 'http://base.invalid').hostname.endsWith('evil.example');

/** Attacks of the README's table that no feature test already covers. */
describe('attacks', () => {
  let app: App;
  let apiKey: string;
  beforeAll(async () => {
    app = await startPublicTestApp({ RATE_LIMIT_OPENID_PER_ADDRESS: '100000', AUTH_FAILURE_LIMIT: '100000' });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    ({ apiKey } = await createTestCustomer(app, 'acme', { verifyUrl: 'https://login.acme.example/verify' }));
  });

  it.each([
    ['openid.return_to', { 'openid.return_to': EVIL }],
    ['openid.realm', { 'openid.realm': 'https://evil.example/' }],
    ['openid.trust_root', { 'openid.trust_root': 'https://evil.example/' }],
    ['openid.realm and return_to together', { 'openid.realm': 'https://evil.example/', 'openid.return_to': EVIL }],
    ['openid.claimed_id and identity', { 'openid.claimed_id': EVIL, 'openid.identity': EVIL }],
    ['openid.sreg.policy_url', { 'openid.ns.sreg': 'http://openid.net/extensions/sreg/1.1', 'openid.sreg.policy_url': EVIL }],
    ['a return_to with userinfo', { 'openid.return_to': 'https://rp.example.org@evil.example/finish' }],
    ['a return_to with a backslash', { 'openid.return_to': 'https://evil.example\\@rp.example.org/finish' }],
    ['a protocol-relative return_to', { 'openid.return_to': '//evil.example/finish' }],
  ])('sends nobody to another site through %s', async (_param, overrides) => {
    const res = await new Browser().get(checkid(app.config.PUBLIC_URL, overrides));
    expect(goesToEvil(res.location)).toBe(false);
    if (res.status === 302) {
      // Only two places are ever redirected to: the customer's Verify URL, or the RP's verified return_to.
      // (A policy_url travels to the AW as data, per docs/protocol.md#verify-url, for it to show as a link: it is never where we send the browser.)
      expect([`https://login.acme.example`, 'http://rp.example.org']).toContain(new URL(res.location!).origin);
    } else {
      expect(res.body).not.toContain('evil.example');
    }
  });

  // Issue 14 item 4: errors are answered with a page, never `openid.mode=error` at return_to.
  it.each([
    ['an unknown openid.mode', { 'openid.mode': 'frobnicate' }],
    ['an identifier of another provider', { 'openid.claimed_id': 'https://x.example.net/bob', 'openid.identity': 'https://x.example.net/bob' }],
    ['identity without claimed_id', { 'openid.claimed_id': '' }],
  ])('uses no error answer as an open redirect: %s with return_to on any host', async (_case, overrides) => {
    const res = await new Browser().get(checkid(app.config.PUBLIC_URL, { 'openid.return_to': 'https://evil.example.com/steal', 'openid.realm': 'https://evil.example.com/', ...overrides }));
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
    expect(res.body).not.toContain('evil.example');
  });

  it.each([['return_to'], ['openid.return_to'], ['next'], ['redirect_uri'], ['url']])('ignores %s on the Return URL', async (param) => {
    const login = await startLogin(app, 'acme');
    await postback(app, 'acme', { request_id: login.requestId, api_key: apiKey, username: 'alice', no_prompt: 'true' });
    const res = await login.browser.get(`${app.url}/c/acme/ows_return?request_id=${login.requestId}&${param}=${encodeURIComponent(EVIL)}`);
    expect(res.status).toBe(302);
    expect(res.location!.startsWith(`${RETURN_URL}&openid.`)).toBe(true);
  });

  it('refuses a username of 10 KB and one with a line break, storing nothing', async () => {
    for (const username of ['u'.repeat(10 * 1024), 'alice\r\nSet-Cookie: ids_txn=evil']) {
      const { requestId } = await startLogin(app, 'acme');
      const before = await tableCounts();
      const res = await postback(app, 'acme', { request_id: requestId, api_key: apiKey, username });
      expect(res).toMatchObject({ status: 400, body: 'error: invalid_parameter username' });
      expect(await tableCounts()).toEqual(before);
    }
  });

  it('stores SQL-injection text in every postback text field as plain data', async () => {
    const sql = "x'); drop table customer; --";
    const { requestId } = await startLogin(app, 'acme');
    const res = await postback(app, 'acme', {
      request_id: requestId,
      api_key: apiKey,
      username: `alice${sql}`,
      sreg_nickname: sql,
      sreg_fullname: `Robert${sql}`,
      no_prompt: 'true',
    });
    expect(res.status).toBe(200);
    const [profile] = await openedProfiles(app, ['username', 'nickname', 'fullname']);
    expect(profile).toEqual({ username: `alice${sql}`, nickname: sql, fullname: `Robert${sql}` });
    expect(await ownerSql(`select count(*)::int as n from customer`)).toEqual([{ n: 1 }]);
  });

  it('answers header-injection attempts in a request_id without splitting the response', async () => {
    const res = await new Browser().get(`${app.url}/c/acme/ows_return?request_id=${encodeURIComponent('x\r\nSet-Cookie: ids_txn=evil\r\nLocation: https://evil.example/')}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.location).toBeNull();
  });
});
