import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { setCookie } from '../../support/admin-board';
import { signInToDashboard } from '../../support/dashboard';
import { TEST_ADMIN_TOKEN, TEST_REDIS_URL, testQueuePrefix } from '../../support/env';
import { graphql } from '../../support/graphql';
import { operatorToken } from '../../support/operators';

const PREFIX = `${testQueuePrefix()}-dashboard-${randomUUID()}`;
const SIGN_IN_LIMIT = 40;
const FAILURE_LIMIT = 5;
const TTL_SECONDS = 7200;

/** The dashboard's sign-in (POST/GET/DELETE /dashboard/api/session), over HTTP without a browser. */
describe('dashboard sessions (/dashboard/api/session)', () => {
  let app: App;
  let url: string;
  let redis: Redis;
  let customerId: string;

  beforeAll(async () => {
    await resetDatabase();
    app = await startPublicTestApp({
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      QUEUE_PREFIX: PREFIX,
      TRUST_PROXY: 'true',
      DASHBOARD_SESSION_TTL_SECONDS: String(TTL_SECONDS),
      RATE_LIMIT_DASHBOARD_SIGN_IN_PER_ADDRESS: String(SIGN_IN_LIMIT),
      AUTH_FAILURE_LIMIT: String(FAILURE_LIMIT),
    });
    url = new URL(app.config.PUBLIC_URL).origin;
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    customerId = (await createTestCustomer(app, `acme-${randomUUID().slice(0, 8)}`)).customer.id;
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await app?.stop();
  });

  const outbox = (action: string) => ownerSql('select customer_id, actor_id, target_type, target_id from audit_outbox where action = ? order by id', [action]);
  const tokenId = async (token: string) => (await graphql<{ me: { id: string } }>(url, '{ me { id } }', {}, token)).data!.me.id;
  const getSession = (session: string | null) => fetch(`${url}/dashboard/api/session`, { headers: session ? { cookie: `ids_dashboard_session=${session}` } : {} });
  const signOut = (session: string, headers: Record<string, string>) =>
    fetch(`${url}/dashboard/api/session`, { method: 'DELETE', headers: { cookie: `ids_dashboard_session=${session}`, ...headers } });

  it('signs an operator in with an HttpOnly, SameSite=Strict cookie on /dashboard that lasts DASHBOARD_SESSION_TTL_SECONDS, Secure over https', async () => {
    const token = await operatorToken(app, 'VIEWER', null);
    const { res, body, session, sessionLine, csrf } = await signInToDashboard(url, token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessionLine).toMatch(new RegExp(`; Max-Age=${TTL_SECONDS};`));
    expect(sessionLine).toMatch(/; Path=\/dashboard(;|$)/);
    expect(sessionLine).toMatch(/; HttpOnly/);
    expect(sessionLine).toMatch(/; SameSite=Strict/);
    // Plain http here, so not Secure; behind a proxy that says https (TRUST_PROXY), Secure.
    expect(sessionLine).not.toMatch(/; Secure/);
    expect((await signInToDashboard(url, token, { origin: url, 'x-forwarded-proto': 'https' })).sessionLine).toMatch(/; Secure/);
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const expiresAt = Date.parse(body.expiresAt as string);
    expect(expiresAt).toBeGreaterThan(Date.now() + (TTL_SECONDS - 60) * 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + TTL_SECONDS * 1000);
    expect(body.operator).toEqual({ id: await tokenId(token), name: 'viewer token', role: 'viewer', customerId: null, scopes: expect.arrayContaining(['customers:read', 'requests:read']) });
    // The token is never echoed back.
    expect(JSON.stringify(body)).not.toContain(token);
  });

  it('keeps in Redis only a hash of the session id, with the token id, region and expiry (never the token)', async () => {
    const token = await operatorToken(app, 'AUDITOR', customerId);
    const { session } = await signInToDashboard(url, token);
    const keys = await redis.keys(`${PREFIX}:dashboard-session:*`);
    expect(keys.length).toBeGreaterThanOrEqual(1);
    expect(keys.join('\n')).not.toContain(session!);
    const values = await Promise.all(keys.map((key) => redis.get(key)));
    for (const value of values) {
      expect(value).not.toContain(session!);
      expect(value).not.toContain(token);
      expect(Object.keys(JSON.parse(value!) as object).sort()).toEqual(['expiresAt', 'region', 'tokenId']);
    }
    expect(await redis.pttl(keys[0]!)).toBeGreaterThan(0);
  });

  it('ends the session the browser held when it signs in again, leaving no orphan session in Redis', async () => {
    const first = await signInToDashboard(url, await operatorToken(app, 'VIEWER', customerId));
    expect((await getSession(first.session)).status).toBe(200);
    const second = await signInToDashboard(url, await operatorToken(app, 'AUDITOR', customerId), { origin: url, cookie: `ids_dashboard_session=${first.session}` });
    expect(second.res.status).toBe(200);
    expect(second.session).not.toBe(first.session);
    expect((await getSession(first.session)).status).toBe(401);
    expect((await getSession(second.session)).status).toBe(200);
  });

  it('answers GET with who is signed in and the CSRF token, and 401 without a live session', async () => {
    const token = await operatorToken(app, 'SUPPORT', customerId);
    const signedIn = await signInToDashboard(url, token);
    const res = await getSession(signedIn.session);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ operator: signedIn.body.operator, csrfToken: signedIn.csrf, expiresAt: signedIn.body.expiresAt });
    expect(body.operator).toEqual(expect.objectContaining({ role: 'support', customerId }));

    for (const cookie of [null, 'A'.repeat(43), 'not a session']) {
      const refused = await getSession(cookie);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('cache-control')).toBe('no-store');
      expect(await refused.json()).toEqual({ error: 'unauthenticated', message: expect.any(String) });
    }
  });

  it('audits sign-in and sign-out, on the customer\'s chain for a customer-bound token, the platform chain otherwise', async () => {
    const bound = await operatorToken(app, 'ADMIN', customerId);
    const platform = await operatorToken(app, 'OWNER', null);
    const [boundId, platformId] = [await tokenId(bound), await tokenId(platform)];
    for (const token of [bound, platform]) {
      const { session, csrf } = await signInToDashboard(url, token);
      expect((await signOut(session!, { origin: url, 'x-csrf-token': csrf! })).status).toBe(204);
    }
    for (const action of ['dashboard.signed_in', 'dashboard.signed_out']) {
      const events = await outbox(action);
      expect(events).toContainEqual({ customer_id: customerId, actor_id: boundId, target_type: 'operator_token', target_id: boundId });
      expect(events).toContainEqual({ customer_id: null, actor_id: platformId, target_type: 'operator_token', target_id: platformId });
    }
  });

  it('refuses a wrong, unknown, revoked or expired token, and the bootstrap ADMIN_TOKEN, all with the same 401 and no session', async () => {
    const revoked = await operatorToken(app, 'OWNER', null);
    await graphql(url, 'mutation($id: ID!) { revokeOperatorToken(id: $id) { operatorToken { id } } }', { id: await tokenId(revoked) });
    const expired = await operatorToken(app, 'VIEWER', null);
    await ownerSql("update operator_token set expires_at = now() - interval '1 second' where id = ?", [await tokenId(expired)]);
    // ADMIN_TOKEN is the break-glass credential of /graphql, not a dashboard sign-in.
    for (const [n, token] of ['ops_' + 'x'.repeat(43), 'not-a-token', revoked, expired, TEST_ADMIN_TOKEN, `ops_${'y'.repeat(300)}`].entries()) {
      const { res, body, session } = await signInToDashboard(url, token, { origin: url, 'x-forwarded-for': `192.0.2.${n + 1}` });
      expect(res.status).toBe(401);
      expect(body).toEqual({ error: 'invalid_token', message: 'That token was not accepted.' });
      expect(session).toBeNull();
    }
  });

  it.each([
    ['no body', undefined, 'application/json'],
    ['a form body', 'token=ops_x', 'application/x-www-form-urlencoded'],
    ['malformed JSON', '{"token":', 'application/json'],
    ['no token field', '{"tok":"ops_x"}', 'application/json'],
    ['a token that is no string', '{"token":["ops_x"]}', 'application/json'],
    ['an empty token', '{"token":"  "}', 'application/json'],
    ['a body over the limit', JSON.stringify({ token: 'x'.repeat(10_000) }), 'application/json'],
  ])('answers 400 invalid_request to %s, and starts no session', async (_what, body, type) => {
    const res = await fetch(`${url}/dashboard/api/session`, { method: 'POST', headers: { 'content-type': type, origin: url, 'x-forwarded-for': '192.0.2.50' }, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_request', message: expect.any(String) });
    expect(setCookie(res, 'ids_dashboard_session')).toBeNull();
  });

  it.each([
    ['no Origin and no Sec-Fetch-Site', {}],
    ['another Origin', { origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: cross-site (even with our Origin)', { 'sec-fetch-site': 'cross-site', origin: 'x' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
  ])('refuses a sign-in with %s (login CSRF)', async (_what, headers: Record<string, string>) => {
    const token = await operatorToken(app, 'VIEWER', null);
    const { res, session } = await signInToDashboard(url, token, headers);
    expect(res.status).toBe(403);
    expect(session).toBeNull();
  });

  it('signs out only with the session\'s CSRF token from this origin: the session is gone from Redis and the cookie cleared', async () => {
    const token = await operatorToken(app, 'VIEWER', null);
    const { session, csrf } = await signInToDashboard(url, token);
    const other = await signInToDashboard(url, token);
    const keys = async () => (await redis.keys(`${PREFIX}:dashboard-session:*`)).length;
    const before = await keys();
    expect((await signOut(session!, { origin: url })).status).toBe(403);
    expect((await signOut(session!, { origin: url, 'x-csrf-token': 'forged' })).status).toBe(403);
    // Another session's token is not this one's.
    expect((await signOut(session!, { origin: url, 'x-csrf-token': other.csrf! })).status).toBe(403);
    expect((await signOut(session!, { origin: 'https://evil.example', 'x-csrf-token': csrf! })).status).toBe(403);
    expect((await getSession(session)).status).toBe(200);
    expect(await keys()).toBe(before);

    const out = await signOut(session!, { 'sec-fetch-site': 'same-origin', 'x-csrf-token': csrf! });
    expect(out.status).toBe(204);
    const cleared = setCookie(out, 'ids_dashboard_session')!.line;
    expect(cleared).toMatch(/; Expires=Thu, 01 Jan 1970/);
    expect(cleared).toMatch(/; Path=\/dashboard(;|$)/);
    expect(await keys()).toBe(before - 1);
    expect((await getSession(session)).status).toBe(401);
    expect((await getSession(other.session)).status).toBe(200);
  });

  it('ends a session once its operator token is revoked (GET answers 401 and the session is deleted)', async () => {
    const token = await operatorToken(app, 'ADMIN', customerId);
    const id = await tokenId(token);
    const { session } = await signInToDashboard(url, token);
    expect((await getSession(session)).status).toBe(200);
    const revoked = await graphql(url, 'mutation($id: ID!) { revokeOperatorToken(id: $id) { operatorToken { id } } }', { id });
    expect(revoked.errors).toBeUndefined();
    expect((await getSession(session)).status).toBe(401);
    const stored = await Promise.all((await redis.keys(`${PREFIX}:dashboard-session:*`)).map((key) => redis.get(key)));
    expect(stored.map((value) => (JSON.parse(value!) as { tokenId: string }).tokenId)).not.toContain(id);
  });

  it('limits sign-in attempts per address (RATE_LIMIT_DASHBOARD_SIGN_IN_PER_ADDRESS) with 429 and Retry-After', async () => {
    const token = await operatorToken(app, 'VIEWER', null);
    // From an address of its own (TRUST_PROXY: the last X-Forwarded-For entry), with a malformed body: counted, never a wrong token.
    const post = () => fetch(`${url}/dashboard/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url, 'x-forwarded-for': '203.0.113.9' }, body: '{}' });
    for (let i = 0; i < SIGN_IN_LIMIT; i++) expect((await post()).status).toBe(400);
    const over = await post();
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await over.json()).toEqual({ error: 'too_many_requests', message: expect.any(String) });
    expect((await signInToDashboard(url, token, { origin: url, 'x-forwarded-for': '203.0.113.9' })).res.status).toBe(429);
    expect((await signInToDashboard(url, token, { origin: url, 'x-forwarded-for': '203.0.113.10' })).res.status).toBe(200);
  });

  it('locks an address out after AUTH_FAILURE_LIMIT wrong tokens, even for a right one, and audits the lockout', async () => {
    const token = await operatorToken(app, 'VIEWER', null);
    const from = (address: string) => ({ origin: url, 'x-forwarded-for': address });
    for (let i = 0; i < FAILURE_LIMIT; i++) expect((await signInToDashboard(url, 'ops_wrong', from('198.51.100.4'))).res.status).toBe(401);
    const locked = await signInToDashboard(url, token, from('198.51.100.4'));
    expect(locked.res.status).toBe(429);
    expect(Number(locked.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(locked.session).toBeNull();
    expect((await signInToDashboard(url, token, from('198.51.100.5'))).res.status).toBe(200);
    expect(await ownerSql("select details from audit_outbox where action = 'abuse.locked_out'")).toContainEqual({ details: expect.objectContaining({ endpoint: 'dashboard_sign_in', failures: FAILURE_LIMIT }) });
  });
});
