import { App } from '../../../src/app';
import { FixedClock } from '../../../src/shared/clock';
import { createTestCustomer, resetDatabase, startPublicTestApp } from '../../support/app';
import { seedProfile } from '../../support/oauth';
import { clientAssertion, createOidcClient, insertOidcCode, postForm, TestOidcClient } from '../../support/oidc';
import { exchangeCode, issuerOf } from '../../support/oidc-exchange';
import { JWT_BEARER_ASSERTION } from '../../../src/oidc-provider/client-auth-method';
import { generateKeyPair } from 'jose';
import { randomUUID } from 'node:crypto';
import { testQueuePrefix } from '../../support/env';

describe('client authentication at the OpenID Connect token endpoint: exactly the registered method', () => {
  let app: App;
  let customerId: string;
  const clock = new FixedClock(new Date());

  beforeAll(async () => {
    // Refusals are what this file sends: no lockout here (its own test below), and counters of its own.
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', AUTH_FAILURE_LIMIT: '1000', QUEUE_PREFIX: `${testQueuePrefix()}-oidc-${randomUUID()}` }, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.set(new Date());
    await resetDatabase();
    ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
    await seedProfile(app, customerId, 'alice', { email: 'alice@example.com' });
  });

  const codeFor = (client: TestOidcClient) => insertOidcCode(app, customerId, client, 'alice', { now: clock.now() });

  it('client_secret_basic: accepts the secret in the header, refuses it in the body or wrong (401 with a Basic challenge)', async () => {
    const client = await createOidcClient(app, customerId, { method: 'client_secret_basic' });
    const code = await codeFor(client);
    expect(await exchangeCode(app, 'acme', client, code, {}, 'client_secret_post')).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const wrong = await exchangeCode(app, 'acme', { ...client, clientSecret: 'not-the-secret' }, code);
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect((await exchangeCode(app, 'acme', client, code)).status).toBe(200);
  });

  it('client_secret_post: accepts the secret in the body only', async () => {
    const client = await createOidcClient(app, customerId, { method: 'client_secret_post' });
    const code = await codeFor(client);
    expect(await exchangeCode(app, 'acme', client, code, {}, 'client_secret_basic')).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect((await exchangeCode(app, 'acme', client, code, {}, 'client_secret_post')).status).toBe(200);
  });

  it('none: a public client is its client_id alone (PKCE is its proof), and may not pretend to have a secret', async () => {
    const client = await createOidcClient(app, customerId, { method: 'none' });
    const code = await codeFor(client);
    expect(await exchangeCode(app, 'acme', client, code, { client_secret: 'anything' }, 'none')).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await exchangeCode(app, 'acme', client, code, { code_verifier: undefined }, 'none')).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const tokens = await exchangeCode(app, 'acme', client, code, {}, 'none');
    expect(tokens.status).toBe(200);
    // Introspection is for clients that authenticate: a public one would learn whose token it holds by naming itself.
    const probe = await postForm(issuerOf(app, 'acme').introspect, { token: tokens.body.access_token as string, client_id: client.clientId });
    expect(probe).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    // A confidential client cannot drop to `none`.
    const confidential = await createOidcClient(app, customerId);
    expect(await exchangeCode(app, 'acme', confidential, await codeFor(confidential), {}, 'none')).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  describe('private_key_jwt (RFC 7523)', () => {
    let client: TestOidcClient;
    beforeEach(async () => {
      client = await createOidcClient(app, customerId, { method: 'private_key_jwt' });
    });

    const withAssertion = async (assertion: string, extra: Record<string, string> = {}) => {
      const code = await codeFor(client);
      const form = { grant_type: 'authorization_code', code: code.code, redirect_uri: client.redirectUri, code_verifier: code.verifier, client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion, ...extra };
      return postForm(issuerOf(app, 'acme').token, form);
    };

    it('accepts an assertion signed by its key, addressed to the token endpoint or the issuer', async () => {
      expect((await withAssertion(await clientAssertion(client, issuerOf(app, 'acme').token, { now: clock.now() }))).status).toBe(200);
      expect((await withAssertion(await clientAssertion(client, issuerOf(app, 'acme').issuer, { now: clock.now() }), { client_id: client.clientId })).status).toBe(200);
    });

    it('refuses a replayed jti', async () => {
      const assertion = await clientAssertion(client, issuerOf(app, 'acme').token, { now: clock.now(), jti: 'once-only' });
      expect((await withAssertion(assertion)).status).toBe(200);
      expect(await withAssertion(assertion)).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
      // A new assertion with the same jti is the same replay.
      expect(await withAssertion(await clientAssertion(client, issuerOf(app, 'acme').token, { now: clock.now(), jti: 'once-only' }))).toMatchObject({ status: 401 });
    });

    it('refuses a wrong audience, another key, an expired one, one living more than five minutes, and a secret instead', async () => {
      const now = clock.now();
      expect(await withAssertion(await clientAssertion(client, 'https://elsewhere.example.com/token', { now }))).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
      const stranger = (await generateKeyPair('ES256')).privateKey;
      expect(await withAssertion(await clientAssertion(client, issuerOf(app, 'acme').token, { now, key: stranger }))).toMatchObject({ status: 401 });
      expect(await withAssertion(await clientAssertion(client, issuerOf(app, 'acme').token, { now: new Date(now.getTime() - 120_000) }))).toMatchObject({ status: 401 });
      expect(await withAssertion(await clientAssertion(client, issuerOf(app, 'acme').token, { now, lifetimeSeconds: 301 }))).toMatchObject({ status: 401 });
      expect(await withAssertion(await clientAssertion(client, issuerOf(app, 'acme').token, { now }), { client_secret: 'x' })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      expect(await withAssertion('not.a.jwt')).toMatchObject({ status: 401 });
    });

    it('refuses a client registered for a secret that sends an assertion', async () => {
      const basic = await createOidcClient(app, customerId);
      const other = { ...basic, privateKey: client.privateKey };
      const code = await codeFor(basic);
      const assertion = await clientAssertion(other, issuerOf(app, 'acme').token, { now: clock.now() });
      const form = { grant_type: 'authorization_code', code: code.code, redirect_uri: basic.redirectUri, code_verifier: code.verifier, client_assertion_type: JWT_BEARER_ASSERTION, client_assertion: assertion };
      expect(await postForm(issuerOf(app, 'acme').token, form)).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    });
  });

  it('limits token requests per client, and locks an address out after repeated invalid_client answers', async () => {
    const strict = await startPublicTestApp(
      { LOG_LEVEL: 'silent', AUTH_FAILURE_LIMIT: '3', RATE_LIMIT_TOKEN_PER_CLIENT: '5', QUEUE_PREFIX: `${testQueuePrefix()}-oidc-${randomUUID()}` },
      { clock },
    );
    try {
      const busy = await createOidcClient(strict, customerId);
      const busyCode = await insertOidcCode(strict, customerId, busy, 'alice', { now: clock.now() });
      const limited: number[] = [];
      for (let i = 0; i < 6; i++) limited.push((await exchangeCode(strict, 'acme', busy, busyCode, { code_verifier: 'x'.repeat(43) })).status);
      expect(limited).toEqual([400, 400, 400, 400, 400, 429]);

      const client = await createOidcClient(strict, customerId);
      const code = await insertOidcCode(strict, customerId, client, 'alice', { now: clock.now() });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await exchangeCode(strict, 'acme', { ...client, clientSecret: 'wrong' }, code)).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const locked = await exchangeCode(strict, 'acme', client, code);
      expect(locked.status).toBe(429);
      expect(locked.headers.get('retry-after')).toEqual(expect.any(String));
    } finally {
      await strict.stop();
    }
  });
});
