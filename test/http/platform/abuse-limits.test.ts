import { randomUUID } from 'node:crypto';
import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { consentForm, startLogin } from '../../support/flow';
import { clientToken } from '../../support/oauth';
import { TEST_ADMIN_TOKEN, testQueuePrefix } from '../../support/env';
import { startPrivateRedis } from '../../support/redis-server';

/** Behind TRUST_PROXY the source is the last X-Forwarded-For entry, so one test can play many addresses. */
function from(address: string, headers: Record<string, string> = {}): Record<string, string> {
  return { 'x-forwarded-for': address, ...headers };
}

async function postbackFrom(app: App, address: string, fields: Record<string, string>) {
  const res = await fetch(`${app.url}/c/acme/ows_auth`, {
    method: 'POST',
    body: new URLSearchParams(fields).toString(),
    headers: from(address, { 'content-type': 'application/x-www-form-urlencoded' }),
  });
  return { status: res.status, body: await res.text(), retryAfter: res.headers.get('retry-after') };
}

async function tokenFrom(app: App, address: string, clientId: string, clientSecret: string) {
  const res = await fetch(`${app.url}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
    headers: from(address, { 'content-type': 'application/x-www-form-urlencoded' }),
  });
  return { status: res.status, body: await res.text(), retryAfter: res.headers.get('retry-after') };
}

/** A DH-SHA256 associate request on the default group (y = 2 is a valid public key: 1 < y < p-1). */
async function associateFrom(app: App, slug: string, address: string) {
  const res = await fetch(`${app.url}/c/${slug}/openid`, {
    method: 'POST',
    body: new URLSearchParams({
      'openid.ns': 'http://specs.openid.net/auth/2.0',
      'openid.mode': 'associate',
      'openid.assoc_type': 'HMAC-SHA256',
      'openid.session_type': 'DH-SHA256',
      'openid.dh_consumer_public': 'Ag==',
    }).toString(),
    headers: from(address, { 'content-type': 'application/x-www-form-urlencoded' }),
  });
  return { status: res.status, body: await res.text(), retryAfter: res.headers.get('retry-after') };
}

const associations = () => ownerSql(`select count(*)::int as n from openid_association`);

const lockouts = () => ownerSql(`select customer_id, actor_kind, target_id, details from audit_outbox where action = 'abuse.locked_out' order by occurred_at`);

/** Every test gets counters of its own (a fresh key prefix), so no count leaks between them. */
async function startLimitedApp(overrides: Record<string, string>): Promise<App> {
  return startPublicTestApp({ TRUST_PROXY: 'true', QUEUE_PREFIX: `${testQueuePrefix()}-abuse-${randomUUID()}`, ...overrides });
}

describe('abuse limits', () => {
  let app: App | undefined;
  beforeEach(() => resetDatabase());
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  it('locks an address out of a customer\'s postback after repeated wrong API keys, audits it, and spares other addresses', async () => {
    app = await startLimitedApp({ AUTH_FAILURE_LIMIT: '3', AUTH_LOCKOUT_SECONDS: '120' });
    const { customer, apiKey } = await createTestCustomer(app, 'acme');
    for (let i = 0; i < 3; i++) expect((await postbackFrom(app, '203.0.113.7', { request_id: 'r', api_key: 'wrong', username: 'u' })).status).toBe(403);

    // Locked out: even the right key is refused, before anything is read or stored.
    const { requestId } = await startLogin(app, 'acme');
    const locked = await postbackFrom(app, '203.0.113.7', { request_id: requestId, api_key: apiKey, username: 'alice' });
    expect(locked).toMatchObject({ status: 429, body: expect.stringMatching(/^error: too_many_requests\nrequest_id: /) });
    expect(Number(locked.retryAfter)).toBeGreaterThan(100);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(120);
    expect(await ownerSql(`select count(*)::int as n from profile`)).toEqual([{ n: 0 }]);

    expect(await lockouts()).toEqual([
      // The address is personal data: the unerasable chain names it by a keyed hash only.
      { customer_id: customer.id, actor_kind: 'SYSTEM', target_id: app.services.audit.subjectHash(customer.id, 'address:203.0.113.7'), details: { endpoint: 'ows_auth', failures: 3, lockoutSeconds: 120 } },
    ]);
    expect(JSON.stringify(await ownerSql(`select * from audit_outbox`))).not.toContain('203.0.113.7');
    // Another address still signs users in.
    expect(await postbackFrom(app, '198.51.100.2', { request_id: requestId, api_key: apiKey, username: 'alice' })).toMatchObject({ status: 200 });
  });

  it('limits postbacks per address and per API key with 429 and Retry-After', async () => {
    app = await startLimitedApp({ RATE_LIMIT_POSTBACK_PER_ADDRESS: '3', RATE_LIMIT_POSTBACK_PER_API_KEY: '5', AUTH_FAILURE_LIMIT: '100' });
    const { apiKey } = await createTestCustomer(app, 'acme');
    const fields = { request_id: 'x'.repeat(32), api_key: apiKey, username: 'u' };
    for (let i = 0; i < 3; i++) expect((await postbackFrom(app, '203.0.113.1', fields)).status).toBe(404);
    const limited = await postbackFrom(app, '203.0.113.1', fields);
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    // The same key from other addresses: 2 more are allowed (5 in all), then the key itself is limited.
    expect((await postbackFrom(app, '203.0.113.2', fields)).status).toBe(404);
    expect((await postbackFrom(app, '203.0.113.3', fields)).status).toBe(404);
    expect((await postbackFrom(app, '203.0.113.4', fields)).status).toBe(429);
  });

  it('locks an address out of the OAuth endpoints after wrong client secrets, on the platform chain, and limits token requests per client', async () => {
    app = await startLimitedApp({ AUTH_FAILURE_LIMIT: '3', AUTH_LOCKOUT_SECONDS: '60', RATE_LIMIT_TOKEN_PER_CLIENT: '4' });
    const { customer } = await createTestCustomer(app, 'acme');
    const { clientId, clientSecret } = await clientToken(app, customer.id, ['consents:read']); // request 1 of the client
    for (let i = 0; i < 3; i++) expect((await tokenFrom(app, '203.0.113.9', clientId, 'wrong')).status).toBe(401); // 2-4
    const locked = await tokenFrom(app, '203.0.113.9', clientId, clientSecret);
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    expect(await lockouts()).toEqual([
      { customer_id: null, actor_kind: 'SYSTEM', target_id: app.services.audit.subjectHash('platform', 'address:203.0.113.9'), details: { endpoint: 'oauth', failures: 3, lockoutSeconds: 60 } },
    ]);
    // From elsewhere the client has used its 4 requests of this window.
    expect((await tokenFrom(app, '198.51.100.1', clientId, clientSecret)).status).toBe(429);
  });

  it('limits the OpenID endpoint, the consent form and GraphQL per address or token', async () => {
    app = await startLimitedApp({ RATE_LIMIT_OPENID_PER_ADDRESS: '2', RATE_LIMIT_CONSENT_PER_ADDRESS: '1', RATE_LIMIT_GRAPHQL_PER_TOKEN: '2' });
    const openid = (address: string) => fetch(`${app!.url}/c/acme/openid?openid.mode=bogus`, { headers: from(address) });
    expect((await openid('203.0.113.1')).status).not.toBe(429);
    expect((await openid('203.0.113.1')).status).not.toBe(429);
    const limited = await openid('203.0.113.1');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await openid('203.0.113.2')).status).not.toBe(429);

    const consent = (address: string) =>
      fetch(`${app!.url}/c/acme/ows_consent`, { method: 'POST', body: 'auth_request=x', headers: from(address, { 'content-type': 'application/x-www-form-urlencoded' }) });
    expect((await consent('203.0.113.5')).status).not.toBe(429);
    expect((await consent('203.0.113.5')).status).toBe(429);

    const gql = (token: string) =>
      fetch(`${app!.url}/graphql`, { method: 'POST', body: JSON.stringify({ query: '{ __typename }' }), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
    expect((await gql(TEST_ADMIN_TOKEN)).status).toBe(200);
    expect((await gql(TEST_ADMIN_TOKEN)).status).toBe(200);
    expect((await gql(TEST_ADMIN_TOKEN)).status).toBe(429);
    expect((await gql('another-token')).status).toBe(401);
  });

  it('limits associate requests per address apart from, and below, the rest of the OpenID endpoint', async () => {
    app = await startLimitedApp({ RATE_LIMIT_ASSOCIATE_PER_ADDRESS: '2', RATE_LIMIT_OPENID_PER_ADDRESS: '100' });
    await createTestCustomer(app, 'acme');
    expect((await associateFrom(app, 'acme', '203.0.113.1')).status).toBe(200);
    expect((await associateFrom(app, 'acme', '203.0.113.1')).status).toBe(200);
    const limited = await associateFrom(app, 'acme', '203.0.113.1');
    expect(limited).toMatchObject({ status: 429, body: expect.stringMatching(/^error: too_many_requests\nrequest_id: /) });
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    // Refused before any work: no third association.
    expect(await associations()).toEqual([{ n: 2 }]);
    // The address's other OpenID requests and other addresses' associate requests go on.
    expect((await fetch(`${app.url}/c/acme/openid?openid.mode=bogus`, { headers: from('203.0.113.1') })).status).not.toBe(429);
    expect((await associateFrom(app, 'acme', '203.0.113.2')).status).toBe(200);
  });

  it('counts an IPv6 client by its /64, so rotating addresses within it buys no fresh limit', async () => {
    app = await startLimitedApp({ RATE_LIMIT_ASSOCIATE_PER_ADDRESS: '2', RATE_LIMIT_OPENID_PER_ADDRESS: '100' });
    await createTestCustomer(app, 'acme');
    expect((await associateFrom(app, 'acme', '2001:db8:5:6::1')).status).toBe(200);
    expect((await associateFrom(app, 'acme', '2001:db8:5:6:ffff:ffff:ffff:fffe')).status).toBe(200);
    expect((await associateFrom(app, 'acme', '2001:db8:5:6:1234::9')).status).toBe(429);
    // Another subscriber's /64, and an IPv4 client written as IPv4-mapped IPv6, count apart.
    expect((await associateFrom(app, 'acme', '2001:db8:5:7::1')).status).toBe(200);
    expect((await associateFrom(app, 'acme', '::ffff:198.51.100.7')).status).toBe(200);
    expect((await associateFrom(app, 'acme', '198.51.100.7')).status).toBe(200);
    expect((await associateFrom(app, 'acme', '::ffff:c633:6407')).status).toBe(429);
  });

  it('caps the live shared associations of an address at a customer: over the cap a clear 400, nothing stored', async () => {
    app = await startLimitedApp({ ASSOCIATION_MAX_LIVE_PER_ADDRESS: '2', RATE_LIMIT_ASSOCIATE_PER_ADDRESS: '100' });
    await createTestCustomer(app, 'acme');
    await createTestCustomer(app, 'globex');
    expect((await associateFrom(app, 'acme', '203.0.113.7')).status).toBe(200);
    expect((await associateFrom(app, 'acme', '203.0.113.7')).status).toBe(200);

    const refused = await associateFrom(app, 'acme', '203.0.113.7');
    expect(refused.status).toBe(400);
    expect(refused.body).toBe(
      'ns:http://specs.openid.net/auth/2.0\nerror:Too many live associations from this address: reuse an association you hold, or wait until one expires\n',
    );
    expect(await associations()).toEqual([{ n: 2 }]);

    // Counted per customer and per address.
    expect((await associateFrom(app, 'globex', '203.0.113.7')).status).toBe(200);
    expect((await associateFrom(app, 'acme', '198.51.100.4')).status).toBe(200);

    // Rows name the address by a keyed hash only: one hash per customer and address, never the address.
    const rows = (await ownerSql(`select c.slug, a.source_hash from openid_association a join customer c on c.id = a.customer_id order by c.slug, a.source_hash`)) as Array<{ slug: string; source_hash: string }>;
    expect(JSON.stringify(rows)).not.toMatch(/203\.0\.113|198\.51\.100/);
    const hashes = rows.map((r) => `${r.slug}:${r.source_hash}`);
    expect(new Set(hashes).size).toBe(3);
    expect(rows.every((r) => /^[A-Za-z0-9_-]{43}$/.test(r.source_hash))).toBe(true);

    // Once its associations have expired the address may associate again.
    await ownerSql(`update openid_association set expires_at = now() - interval '1 second'`);
    expect((await associateFrom(app, 'acme', '203.0.113.7')).status).toBe(200);
  });

  it('keeps counting in memory while Redis is down: logins go on and a lockout still holds', async () => {
    const redis = await startPrivateRedis();
    try {
      app = await startLimitedApp({ REDIS_URL: redis.url, AUTH_FAILURE_LIMIT: '2' });
      const { apiKey } = await createTestCustomer(app, 'acme');
      await redis.stop();
      const login = await startLogin(app, 'acme');
      expect((await postbackFrom(app, '198.51.100.1', { request_id: login.requestId, api_key: apiKey, username: 'alice' })).status).toBe(200);
      const back = await login.browser.get(`${app.url}/c/acme/ows_return?request_id=${login.requestId}`);
      expect(back.status).toBe(200);
      expect(consentForm(back.body).csrf).not.toBe('');
      for (let i = 0; i < 2; i++) expect((await postbackFrom(app, '203.0.113.7', { request_id: 'r', api_key: 'wrong', username: 'u' })).status).toBe(403);
      expect((await postbackFrom(app, '203.0.113.7', { request_id: 'r', api_key: apiKey, username: 'u' })).status).toBe(429);
    } finally {
      await app?.stop();
      app = undefined;
      await redis.stop();
    }
  });
});
