import { randomBytes } from 'node:crypto';
import { App } from '../../../src/app';
import { base64ToBigInt, bigIntToBase64, DEFAULT_DH_GENERATOR, DEFAULT_DH_MODULUS, parseKvForm } from '../../../src/openid';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { ImmediateLogin } from '../../support/login-double';
import { browserGet } from '../../support/rp';
import { modPow } from '../../support/mod-pow';

const NS = 'http://specs.openid.net/auth/2.0';
const RETURN_TO = 'https://rp.example.org/finish';

function post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(url, { method: 'POST', body: new URLSearchParams(fields), headers, redirect: 'manual' });
}

function checkid(base: string, overrides: Record<string, string | null> = {}, slug = 'acme'): string {
  const params: Record<string, string | null> = {
    'openid.ns': NS,
    'openid.mode': 'checkid_setup',
    'openid.claimed_id': `${NS}/identifier_select`,
    'openid.identity': `${NS}/identifier_select`,
    'openid.return_to': RETURN_TO,
    'openid.realm': 'https://rp.example.org/',
    ...overrides,
  };
  const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== null));
  return `${base}/c/${slug}/openid?${query}`;
}

describe('the OP endpoint on bad and unusual input', () => {
  let app: App;
  let endpoint: string;
  const login = new ImmediateLogin();

  beforeAll(async () => {
    app = await startPublicTestApp({ TRUST_PROXY: 'true' }, { loginStep: login });
    endpoint = `${app.config.PUBLIC_URL}/c/acme/openid`;
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    await createTestCustomer(app, 'acme', { trustedRealms: ['https://*.example.org/'] });
  });

  it('answers an unsupported association type with 400 unsupported-type and a pair that then works', async () => {
    const xa = 123456789n;
    const consumerPublic = bigIntToBase64(modPow(DEFAULT_DH_GENERATOR, xa, DEFAULT_DH_MODULUS));
    const first = await post(endpoint, {
      'openid.ns': NS,
      'openid.mode': 'associate',
      'openid.assoc_type': 'HMAC-SHA256',
      'openid.session_type': 'DH-SHA1',
      'openid.dh_consumer_public': consumerPublic,
    });
    expect(first.status).toBe(400);
    const refusal = Object.fromEntries(parseKvForm(await first.text()));
    expect(refusal).toMatchObject({ ns: NS, error_code: 'unsupported-type', session_type: 'DH-SHA256', assoc_type: 'HMAC-SHA256' });

    const second = await post(endpoint, {
      'openid.ns': NS,
      'openid.mode': 'associate',
      'openid.assoc_type': refusal.assoc_type!,
      'openid.session_type': refusal.session_type!,
      'openid.dh_consumer_public': consumerPublic,
    });
    expect(second.status).toBe(200);
    const answer = Object.fromEntries(parseKvForm(await second.text()));
    expect(answer).toMatchObject({ assoc_type: 'HMAC-SHA256', session_type: 'DH-SHA256', expires_in: '1209600' });
    expect(base64ToBigInt(answer.dh_server_public!)).toBeGreaterThan(1n);
  });

  it('refuses a no-encryption association over plain http and allows it behind a TLS proxy', async () => {
    const fields = { 'openid.ns': NS, 'openid.mode': 'associate', 'openid.assoc_type': 'HMAC-SHA256', 'openid.session_type': 'no-encryption' };
    const plain = await post(endpoint, fields);
    expect(plain.status).toBe(400);
    expect(await plain.text()).toContain('error_code:unsupported-type\n');
    const tls = await post(endpoint, fields, { 'X-Forwarded-Proto': 'https' });
    expect(tls.status).toBe(200);
    const macKey = Buffer.from(Object.fromEntries(parseKvForm(await tls.text())).mac_key!, 'base64');
    expect(macKey).toHaveLength(32);
    // At rest the MAC key is sealed under the server secret: a database dump cannot sign assertions.
    const [row] = (await ownerSql('select secret from openid_association')) as Array<{ secret: Buffer }>;
    expect(row!.secret.includes(macKey)).toBe(false);
    // `$v1$` (the SECRET_KEYS version), IV, tag, sealed key.
    expect(row!.secret.subarray(0, 4).toString('latin1')).toBe('$v1$');
    expect(row!.secret.length).toBe(4 + 12 + 16 + 32);
  });

  it('answers an RP-chosen 4096-bit modulus with unsupported-type before any Diffie-Hellman work, and stores nothing', async () => {
    // A random odd 4096-bit number: not a prime anyone checked, and the old BigInt code spent half a
    // second of the event loop on it before storing a 14-day association.
    const modulus = (BigInt(`0x${randomBytes(512).toString('hex')}`) | (1n << 4095n)) | 1n;
    const res = await post(endpoint, {
      'openid.ns': NS,
      'openid.mode': 'associate',
      'openid.assoc_type': 'HMAC-SHA256',
      'openid.session_type': 'DH-SHA256',
      'openid.dh_modulus': bigIntToBase64(modulus),
      'openid.dh_gen': 'Ag==',
      'openid.dh_consumer_public': bigIntToBase64(modPow(2n, 987654321n, modulus)),
    });
    expect(res.status).toBe(400);
    const body = Object.fromEntries(parseKvForm(await res.text()));
    expect(body).toMatchObject({ ns: NS, error_code: 'unsupported-type', session_type: 'DH-SHA256', assoc_type: 'HMAC-SHA256' });
    expect(body.error).toMatch(/Diffie-Hellman group/);
    expect(await ownerSql('select count(*)::int as n from openid_association')).toEqual([{ n: 0 }]);
  });

  it('answers a consumer public key of p-1 with a plain 400 error and stores nothing', async () => {
    const res = await post(endpoint, {
      'openid.ns': NS,
      'openid.mode': 'associate',
      'openid.assoc_type': 'HMAC-SHA256',
      'openid.session_type': 'DH-SHA256',
      'openid.dh_consumer_public': bigIntToBase64(DEFAULT_DH_MODULUS - 1n),
    });
    expect(res.status).toBe(400);
    const body = Object.fromEntries(parseKvForm(await res.text()));
    expect(body).toEqual({ ns: NS, error: 'openid.dh_consumer_public must satisfy 1 < key < p-1' });
    expect(await ownerSql('select count(*)::int as n from openid_association')).toEqual([{ n: 0 }]);
  });

  it('answers a malformed direct request with a 400 key-value error', async () => {
    const res = await post(endpoint, { 'openid.ns': NS, 'openid.mode': 'associate', 'openid.assoc_type': 'HMAC-SHA256', 'openid.session_type': 'DH-SHA256', 'openid.dh_consumer_public': 'not base64!' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = Object.fromEntries(parseKvForm(await res.text()));
    expect(body.ns).toBe(NS);
    expect(body.error).toBeTruthy();
    expect(body.error_code).toBeUndefined();
  });

  it('answers an unknown mode by POST with a 400 key-value error and by GET with a 400 page, even for a trusted return_to', async () => {
    const direct = await post(endpoint, { 'openid.ns': NS, 'openid.mode': 'frobnicate' });
    expect(direct.status).toBe(400);
    const indirect = await browserGet(checkid(app.config.PUBLIC_URL, { 'openid.mode': 'frobnicate' }));
    expect(indirect.status).toBe(400);
    expect(indirect.location).toBeNull();
  });

  // Issue 14 item 4: a customer that trusts every realm (the default) must not become an open
  // redirector through error answers: none of these may send the browser to return_to's host.
  it.each([
    ['an unknown openid.mode', { 'openid.mode': 'frobnicate' }],
    ['an identifier of another provider', { 'openid.claimed_id': 'https://evil.example.com/bob', 'openid.identity': 'https://evil.example.com/bob' }],
    ['no identifier at all', { 'openid.claimed_id': null, 'openid.identity': null }],
    ['claimed_id without identity', { 'openid.identity': null }],
    ['a malformed assoc_handle', { 'openid.assoc_handle': 'has space' }],
    ['a malformed AX request', { 'openid.ns.ax': 'http://openid.net/srv/ax/1.0', 'openid.ax.mode': 'fetch_request', 'openid.ax.required': 'email' }],
  ])('answers %s with return_to on any host with a 400 page and no Location', async (_case, overrides) => {
    await createTestCustomer(app, 'open');
    // evil.example.com, not evil.example: a realm under an unknown TLD is refused as insane anyway.
    const res = await browserGet(checkid(app.config.PUBLIC_URL, { 'openid.return_to': 'https://evil.example.com/', 'openid.realm': null, ...overrides }, 'open'));
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.body).toMatch(/Reference: [0-9a-f-]+/);
    expect(res.body).not.toContain('evil.example');
    expect(login.seen).toHaveLength(0);
  });

  it.each([
    ['a return_to outside the realm', { 'openid.return_to': 'https://evil.example.net/steal' }],
    ['an over-broad realm', { 'openid.realm': 'https://*.org/', 'openid.return_to': 'https://rp.example.org/finish' }],
    ['a realm the customer does not trust', { 'openid.realm': 'https://other.example.com/', 'openid.return_to': 'https://other.example.com/x' }],
    ['no return_to', { 'openid.return_to': null }],
    ['an OpenID 1.1 request', { 'openid.ns': null }],
    ['a repeated parameter', { 'openid.mode': 'checkid_setup&openid.mode=checkid_setup' }],
  ])('shows an error page and redirects nowhere for %s', async (_case, overrides) => {
    const url = checkid(app.config.PUBLIC_URL, overrides).replace('checkid_setup%26openid.mode%3Dcheckid_setup', 'checkid_setup&openid.mode=checkid_setup');
    const res = await browserGet(url);
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.body).not.toContain('evil.example.net');
    expect(login.seen).toHaveLength(0);
  });

  it('refuses percent-encoding that is not UTF-8 with a page', async () => {
    const res = await browserGet(`${checkid(app.config.PUBLIC_URL)}&openid.sreg.nickname=%C3%28`);
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
  });

  it('refuses a POST that is not a form with 415', async () => {
    const res = await fetch(endpoint, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(415);
  });

  it('answers an identifier of another provider with an error page, not an indirect error', async () => {
    const res = await browserGet(checkid(app.config.PUBLIC_URL, { 'openid.claimed_id': 'https://elsewhere.example/bob', 'openid.identity': 'https://elsewhere.example/bob' }));
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
  });

  it('delivers a long assertion by auto-submitting form POST instead of a redirect', async () => {
    login.supplied = { email: 'alice@example.com', fullname: 'A'.repeat(1000), nickname: 'N'.repeat(1000) };
    try {
      const res = await browserGet(checkid(app.config.PUBLIC_URL, { 'openid.ns.sreg': 'http://openid.net/extensions/sreg/1.1', 'openid.sreg.required': 'fullname,nickname' }));
      expect(res.status).toBe(200);
      expect(res.body).toContain(`<form id="openid-message" method="post" action="${RETURN_TO}"`);
      expect(res.body).toContain('name="openid.sig"');
      const nonce = /script-src 'nonce-([^']+)'/.exec(res.headers.get('content-security-policy') ?? '')?.[1];
      expect(nonce).toBeTruthy();
      expect(res.body).toContain(`<script nonce="${nonce}">`);
    } finally {
      login.supplied = { email: 'alice@example.com', nickname: 'alice', fullname: 'Alice Liddell' };
    }
  });

  it('serves HTML discovery with openid2 links and an X-XRDS-Location, the same for unknown users', async () => {
    for (const name of ['alice', 'nobody-has-this-name']) {
      const res = await fetch(`${app.config.PUBLIC_URL}/c/acme/id/${name}`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain(`<link rel="openid2.provider" href="${endpoint}">`);
      expect(html).toContain(`<link rel="openid2.local_id" href="${app.config.PUBLIC_URL}/c/acme/id/${name}">`);
      const xrds = await fetch(res.headers.get('x-xrds-location')!);
      expect(xrds.headers.get('content-type')).toMatch(/^application\/xrds\+xml/);
    }
  });

  it('answers 404 pages for an unknown customer', async () => {
    expect((await fetch(`${app.config.PUBLIC_URL}/c/nobody/`)).status).toBe(404);
    expect((await browserGet(checkid(app.config.PUBLIC_URL).replace('/c/acme/', '/c/nobody/'))).status).toBe(404);
  });

  it('shows a human page when the endpoint is opened without an OpenID message', async () => {
    const res = await fetch(endpoint);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('OpenID 2.0 endpoint');
  });
});
