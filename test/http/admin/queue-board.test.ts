import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { boardApi, setCookie, signInToBoard } from '../../support/admin-board';
import { TEST_REDIS_URL, testQueuePrefix } from '../../support/env';
import { graphql } from '../../support/graphql';
import { operatorToken } from '../../support/operators';

const PREFIX = `${testQueuePrefix()}-admin-${randomUUID()}`;
const LOGIN_LIMIT = 40;
const FAILURE_LIMIT = 5;

/** The queue board's sign-in, sessions and cross-site refusals, over HTTP without a browser (the browser's view: test/e2e/admin-queues.test.ts). */
describe('queue board (/admin)', () => {
  let app: App;
  let url: string;
  let owner: string;
  let redis: Redis;
  let erasure: Queue;

  beforeAll(async () => {
    await resetDatabase();
    app = await startPublicTestApp({
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      QUEUE_PREFIX: PREFIX,
      TRUST_PROXY: 'true',
      RATE_LIMIT_ADMIN_LOGIN_PER_ADDRESS: String(LOGIN_LIMIT),
      AUTH_FAILURE_LIMIT: String(FAILURE_LIMIT),
    });
    url = new URL(app.config.PUBLIC_URL).origin;
    owner = await operatorToken(app, 'OWNER', null);
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    erasure = new Queue('erasure', { connection: redis, prefix: `{${PREFIX}}` });
  }, 60_000);
  afterAll(async () => {
    await erasure?.close();
    redis?.disconnect();
    await app?.stop();
  });

  const outbox = (action: string) => ownerSql('select actor_id, target_type, target_id, details from audit_outbox where action = ?', [action]);
  const tokenId = async (token: string) => (await graphql<{ me: { id: string } }>(url, '{ me { id } }', {}, token)).data!.me.id;

  it('serves a sign-in form without script, with a CSRF token bound to a pre-session cookie', async () => {
    const res = await fetch(`${url}/admin/login`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    const pre = setCookie(res, 'ids_admin_pre')!;
    expect(pre.line).toMatch(/; Path=\/admin/);
    expect(pre.line).toMatch(/; HttpOnly/);
    expect(pre.line).toMatch(/; SameSite=Strict/);
    const html = await res.text();
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('<form method="post" action="/admin/login">');
  });

  it('signs a platform owner in with an HttpOnly, SameSite=Strict session cookie on /admin that lasts ADMIN_SESSION_TTL_SECONDS', async () => {
    const { res, session, sessionLine } = await signInToBoard(url, owner);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/queues');
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessionLine).toMatch(/; Max-Age=3600;/);
    expect(sessionLine).toMatch(/; Path=\/admin/);
    expect(sessionLine).toMatch(/; HttpOnly/);
    expect(sessionLine).toMatch(/; SameSite=Strict/);
    // Plain http here, so not Secure; behind a proxy that says https (TRUST_PROXY), Secure.
    expect(sessionLine).not.toMatch(/; Secure/);
    const overTls = await signInToBoard(url, owner, { origin: url, 'x-forwarded-proto': 'https' });
    expect(overTls.sessionLine).toMatch(/; Secure/);
    // Redis holds a hash of the id, never the id itself.
    const keys = await redis.keys(`${PREFIX}:admin-session:*`);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(keys.join('\n')).not.toContain(session!);
    const stored = JSON.parse((await redis.get(keys[0]!))!) as Record<string, unknown>;
    expect(Object.keys(stored).sort()).toEqual(['expiresAt', 'region', 'tokenId']);
    expect(await outbox('queue_board.signed_in')).toContainEqual(expect.objectContaining({ actor_id: await tokenId(owner), target_type: 'operator_token' }));
  });

  it('shows every queue to a signed-in owner, and sends anyone else to the form (pages) or away with 401 (API)', async () => {
    const { session } = await signInToBoard(url, owner);
    const queues = await boardApi(url, session, '/queues?activeQueue=erasure&status=failed&page=1');
    expect(queues.status).toBe(200);
    expect(queues.headers.get('cache-control')).toBe('no-store');
    const names = ((await queues.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name).sort();
    expect(names).toEqual(['audit', 'erasure', 'exports', 'maintenance', 'oidc-backchannel-logout', 'webhook-delivery', 'webhook-dispatch']);

    expect((await boardApi(url, null, '/queues')).status).toBe(401);
    expect((await boardApi(url, 'A'.repeat(43), '/queues')).status).toBe(401);
    const page = await fetch(`${url}/admin/queues`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/admin/login');
    const asset = await fetch(`${url}/admin/queues/static/images/logo.svg`, { redirect: 'manual' });
    expect(asset.status).toBe(303);
  });

  it('counts the board’s requests under their mount: /admin/login, /admin, /admin/queues, /admin/queues/api/* (never a queue or job name)', async () => {
    const { session } = await signInToBoard(url, owner);
    const cookie = { cookie: `ids_admin_session=${session}` };
    expect((await fetch(`${url}/admin`, { redirect: 'manual' })).status).toBe(303);
    expect((await fetch(`${url}/admin/queues`, { headers: cookie })).status).toBe(200);
    expect((await boardApi(url, session, '/queues/erasure/no-such-job')).status).toBe(404);
    expect((await boardApi(url, session, '/queues')).status).toBe(200);
    const { body } = await app.metrics.scrape();
    const routes = new Set([...body.matchAll(/^ids_http_requests_total\{method="(\w+)",route="([^"]*)"/gm)].map((m) => `${m[1]} ${m[2]}`));
    for (const route of ['GET /admin/login', 'POST /admin/login', 'GET /admin', 'GET /admin/queues', 'GET /admin/queues/api/*']) expect(routes).toContain(route);
    for (const route of routes) expect(route).not.toMatch(/ (\/|\/login|\/api\/.*)$|erasure|no-such-job/);
  });

  it('serves the board page with a CSP of its own: scripts from this origin only, no inline script, never framed, no outside fonts', async () => {
    const { session } = await signInToBoard(url, owner);
    const res = await fetch(`${url}/admin/queues`, { headers: { cookie: `ids_admin_session=${session}` } });
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    const script = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'));
    expect(script).toBe("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-powered-by')).toBeNull();
    const html = await res.text();
    expect(html).toContain('<base href="/admin/queues/"');
    expect(html).not.toContain('fonts.googleapis.com');
  });

  it('refuses a wrong, unknown or revoked token with the same 401 form, and starts no session', async () => {
    const revoked = await operatorToken(app, 'OWNER', null);
    await graphql(url, 'mutation($id: ID!) { revokeOperatorToken(id: $id) { operatorToken { id } } }', { id: await tokenId(revoked) });
    const answers = [];
    for (const token of ['ops_' + 'x'.repeat(43), 'not-a-token', revoked, '']) {
      const { res, body, session } = await signInToBoard(url, token);
      expect(res.status).toBe(401);
      expect(session).toBeNull();
      answers.push(body.replace(/name="csrf" value="[^"]+"/, ''));
    }
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toContain('That token was not accepted.');
  });

  it.each([
    ['a customer-bound owner', 'OWNER', true],
    ['a customer-bound admin', 'ADMIN', true],
    ['a platform support operator', 'SUPPORT', false],
    ['a platform admin', 'ADMIN', false],
  ])('refuses %s with 403 and no session', async (_who, role, isBound) => {
    const customerId = isBound ? (await createTestCustomer(app, `acme-${randomUUID().slice(0, 8)}`)).customer.id : null;
    const token = await operatorToken(app, role, customerId);
    const me = await graphql<{ me: { customerId: string | null; role: string } }>(url, '{ me { customerId role } }', {}, token);
    expect(me.data!.me).toEqual({ customerId, role });
    const { res, body, session } = await signInToBoard(url, token);
    expect(res.status).toBe(403);
    expect(body).toContain('platform owners only');
    expect(session).toBeNull();
  });

  it.each([
    ['no Origin and no Sec-Fetch-Site', {}],
    ['another Origin', { origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: cross-site (even with our Origin)', { 'sec-fetch-site': 'cross-site', origin: 'x' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
  ])('refuses a sign-in post with %s (login CSRF)', async (_what, headers: Record<string, string>) => {
    const { res, session } = await signInToBoard(url, owner, headers);
    expect(res.status).toBe(403);
    expect(session).toBeNull();
  });

  it('refuses a sign-in post whose CSRF token does not match its pre-session cookie', async () => {
    const first = await fetch(`${url}/admin/login`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await first.text())![1]!;
    const other = setCookie(await fetch(`${url}/admin/login`), 'ids_admin_pre')!.value;
    for (const cookie of [`ids_admin_pre=${other}`, '']) {
      const res = await fetch(`${url}/admin/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url, cookie },
        body: new URLSearchParams({ csrf, token: owner }).toString(),
      });
      expect(res.status).toBe(403);
      expect(setCookie(res, 'ids_admin_session')).toBeNull();
    }
  });

  it('acts only on same-origin requests with a session, and audits an action once it has succeeded', async () => {
    const { session } = await signInToBoard(url, owner);
    const pause = (headers: Record<string, string>, cookie: string | null = session) => boardApi(url, cookie, '/queues/erasure/pause', { method: 'PUT', headers });
    // A cross-site fetch or form post carries the cookie (were it not SameSite) but not our origin.
    expect((await pause({})).status).toBe(403);
    expect((await pause({ origin: 'https://evil.example' })).status).toBe(403);
    expect((await pause({ 'sec-fetch-site': 'cross-site', origin: url })).status).toBe(403);
    // Our origin without a session is not enough either.
    expect((await pause({ origin: url }, null)).status).toBe(401);
    expect(await erasure.isPaused()).toBe(false);
    expect(await outbox('queue_board.queue_paused')).toEqual([]);

    expect((await pause({ 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect(await erasure.isPaused()).toBe(true);
    const resume = await boardApi(url, session, '/queues/erasure/resume', { method: 'PUT', headers: { origin: url } });
    expect(resume.status).toBe(200);
    expect(await erasure.isPaused()).toBe(false);
    const id = await tokenId(owner);
    expect(await outbox('queue_board.queue_paused')).toEqual([
      { actor_id: id, target_type: 'queue', target_id: 'erasure', details: expect.objectContaining({ operatorTokenId: id, queue: 'erasure', route: 'PUT /api/queues/:queueName/pause' }) },
    ]);
    expect(await outbox('queue_board.queue_resumed')).toHaveLength(1);

    // An action that fails (no such job) is not audited.
    const missing = await boardApi(url, session, '/queues/erasure/no-such-job/retry', { method: 'PUT', headers: { origin: url } });
    expect(missing.status).toBe(404);
    expect(await outbox('queue_board.job_retried')).toEqual([]);
  });

  it('never adds a job or rewrites a job\'s data or schedule: 403, nothing changed, nothing audited', async () => {
    const { session } = await signInToBoard(url, owner);
    const held = await erasure.add('process-deletion-request', { deletionRequestId: randomUUID() }, { delay: 3_600_000 });
    const before = await erasure.getJobCounts();
    const json = (body: unknown) => ({ origin: url, 'content-type': 'application/json', body: JSON.stringify(body) });
    const send = (method: string, path: string, body: unknown) => {
      const { body: text, ...headers } = json(body);
      return boardApi(url, session, path, { method, headers, body: text });
    };

    const added = await send('POST', '/queues/erasure/add', { name: 'process-deletion-request', data: { deletionRequestId: randomUUID() }, options: {} });
    expect(added.status).toBe(403);
    const rewritten = await send('PATCH', `/queues/erasure/${held.id}/update-data`, { jobData: { deletionRequestId: randomUUID() } });
    expect(rewritten.status).toBe(403);

    expect(await erasure.getJobCounts()).toEqual(before);
    expect((await erasure.getJob(held.id!))!.data).toEqual(held.data);
    expect(await outbox('queue_board.job_added')).toEqual([]);
    expect(await outbox('queue_board.job_data_updated')).toEqual([]);
    await held.remove();
  });

  it('ends a session at sign-out (CSRF-protected): the cookie no longer opens the board', async () => {
    const { session } = await signInToBoard(url, owner);
    const cookie = `ids_admin_session=${session}`;
    const page = await fetch(`${url}/admin/logout`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const post = (body: Record<string, string>, headers: Record<string, string> = { origin: url }) =>
      fetch(`${url}/admin/logout`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers }, body: new URLSearchParams(body).toString() });
    expect((await post({ csrf }, {})).status).toBe(403);
    expect((await post({ csrf: 'forged' })).status).toBe(403);
    expect((await boardApi(url, session, '/queues')).status).toBe(200);
    const out = await post({ csrf });
    expect(out.status).toBe(200);
    expect(setCookie(out, 'ids_admin_session')!.line).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect((await boardApi(url, session, '/queues')).status).toBe(401);
  });

  it('ends a session at the next request once its operator token is revoked', async () => {
    const token = await operatorToken(app, 'OWNER', null);
    const { session } = await signInToBoard(url, token);
    expect((await boardApi(url, session, '/queues')).status).toBe(200);
    const revoked = await graphql(url, 'mutation($id: ID!) { revokeOperatorToken(id: $id) { operatorToken { id } } }', { id: await tokenId(token) });
    expect(revoked.errors).toBeUndefined();
    expect((await boardApi(url, session, '/queues')).status).toBe(401);
    const page = await fetch(`${url}/admin/queues`, { redirect: 'manual', headers: { cookie: `ids_admin_session=${session}` } });
    expect(page.headers.get('location')).toBe('/admin/login');
  });

  it('limits sign-in attempts per address (RATE_LIMIT_ADMIN_LOGIN_PER_ADDRESS)', async () => {
    // From an address of its own (TRUST_PROXY: the last X-Forwarded-For entry), with a bad CSRF token: counted, never a wrong token.
    const post = () =>
      fetch(`${url}/admin/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url, 'x-forwarded-for': '203.0.113.9' },
        body: new URLSearchParams({ csrf: 'x', token: owner }).toString(),
      });
    for (let i = 0; i < LOGIN_LIMIT; i++) expect((await post()).status).toBe(403);
    const over = await post();
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await signInToBoard(url, owner, { origin: url, 'x-forwarded-for': '203.0.113.10' })).res.status).toBe(303);
  });

  it('locks an address out after AUTH_FAILURE_LIMIT wrong tokens, even for a right one, and audits the lockout', async () => {
    const from = (address: string) => ({ origin: url, 'x-forwarded-for': address });
    for (let i = 0; i < FAILURE_LIMIT; i++) expect((await signInToBoard(url, 'ops_wrong', from('198.51.100.4'))).res.status).toBe(401);
    const locked = await signInToBoard(url, owner, from('198.51.100.4'));
    expect(locked.res.status).toBe(429);
    expect(locked.session).toBeNull();
    expect((await signInToBoard(url, owner, from('198.51.100.5'))).res.status).toBe(303);
    expect(await ownerSql("select details from audit_outbox where action = 'abuse.locked_out'")).toEqual([{ details: expect.objectContaining({ endpoint: 'admin_login', failures: FAILURE_LIMIT }) }]);
  });
});
