import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { dashboardGraphql, signInToDashboard } from '../../support/dashboard';
import { TEST_ADMIN_TOKEN } from '../../support/env';
import { graphql } from '../../support/graphql';
import { operatorToken } from '../../support/operators';

/** Every statement any `pg` client of this process sends while `step` runs (as test/http/oidc/statements.test.ts counts). */
const counted: string[] = [];
let counting = false;
const prototype = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const query = prototype.query;
async function statementsOf(step: () => Promise<unknown>): Promise<string[]> {
  counted.length = 0;
  counting = true;
  try {
    await step();
  } finally {
    counting = false;
  }
  return [...counted];
}

const CUSTOMERS = '{ customers(first: 100) { nodes { id slug name } } }';
const RENAME = 'mutation($id: ID!, $name: String!) { updateCustomer(id: $id, input: { name: $name }) { customer { id name } } }';
const ME = '{ me { id kind role customerId } }';

/** GraphQL by dashboard session (POST /dashboard/api/graphql): the session's operator token, re-checked each time, and nothing else. */
describe('dashboard GraphQL (/dashboard/api/graphql)', () => {
  let app: App;
  let url: string;
  let acme: { id: string; slug: string };
  let other: { id: string; slug: string };

  beforeAll(async () => {
    prototype.query = function countedQuery(this: unknown, ...args: unknown[]) {
      if (counting) counted.push(typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string } | undefined)?.text ?? ''));
      return query.apply(this, args);
    };
    await resetDatabase();
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
    url = new URL(app.config.PUBLIC_URL).origin;
    acme = (await createTestCustomer(app, `acme-${randomUUID().slice(0, 8)}`)).customer;
    other = (await createTestCustomer(app, `other-${randomUUID().slice(0, 8)}`)).customer;
  }, 60_000);
  afterAll(async () => {
    prototype.query = query;
    await app?.stop();
  });

  const nameOf = async (id: string) => ((await ownerSql('select name from customer where id = ?', [id])) as Array<{ name: string }>)[0]!.name;
  const tokenId = async (token: string) => (await graphql<{ me: { id: string } }>(url, '{ me { id } }', {}, token)).data!.me.id;
  const signedIn = async (role: string, customerId: string | null) => {
    const token = await operatorToken(app, role, customerId);
    const { session, csrf } = await signInToDashboard(url, token);
    return { token, session, csrf };
  };

  it('runs an operation as a customer-bound support token: its own customer only, and no mutation it lacks the scope for', async () => {
    const support = await signedIn('SUPPORT', acme.id);
    const listed = await dashboardGraphql<{ customers: { nodes: Array<{ id: string }> } }>(url, support, CUSTOMERS);
    expect(listed.status).toBe(200);
    expect(listed.headers.get('cache-control')).toBe('no-store');
    expect(listed.errors).toBeUndefined();
    expect(listed.data!.customers.nodes.map((c) => c.id)).toEqual([acme.id]);
    const another = await dashboardGraphql<{ customer: unknown }>(url, support, '{ customer(slug: $slug) { id } }'.replace('$slug', JSON.stringify(other.slug)));
    expect(another.data?.customer ?? null).toBeNull();

    const before = await nameOf(acme.id);
    const renamed = await dashboardGraphql(url, support, RENAME, { id: acme.id, name: 'Renamed by support' });
    expect(renamed.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await nameOf(acme.id)).toBe(before);
  });

  it('runs a mutation as the session\'s token, audited with that token as the actor, and shows the request id on errors', async () => {
    const admin = await signedIn('ADMIN', acme.id);
    const renamed = await dashboardGraphql<{ updateCustomer: { customer: { name: string } } }>(url, admin, RENAME, { id: acme.id, name: 'Acme by dashboard' });
    expect(renamed.errors).toBeUndefined();
    expect(renamed.data!.updateCustomer.customer.name).toBe('Acme by dashboard');
    expect(await nameOf(acme.id)).toBe('Acme by dashboard');
    const events = (await ownerSql("select actor_kind, actor_id from audit_outbox where action = 'customer.updated' and customer_id = ?", [acme.id])) as Array<{ actor_id: string }>;
    expect(events).toContainEqual({ actor_kind: 'OPERATOR', actor_id: await tokenId(admin.token) });

    const failed = await dashboardGraphql(url, admin, RENAME, { id: other.id, name: 'Not yours' });
    expect(failed.errors).toBeDefined();
    expect(failed.extensions?.requestId).toBe(failed.headers.get('x-request-id'));
    expect(await nameOf(other.id)).not.toBe('Not yours');
  });

  it('runs a platform-wide token\'s operation on the platform path: every customer', async () => {
    const viewer = await signedIn('VIEWER', null);
    const listed = await dashboardGraphql<{ customers: { nodes: Array<{ id: string }> } }>(url, viewer, CUSTOMERS);
    expect(listed.data!.customers.nodes.map((c) => c.id)).toEqual(expect.arrayContaining([acme.id, other.id]));
    const me = await dashboardGraphql<{ me: unknown }>(url, viewer, ME);
    expect(me.data!.me).toEqual({ id: await tokenId(viewer.token), kind: 'OPERATOR_TOKEN', role: 'VIEWER', customerId: null });
  });

  it('refuses an operation without the session\'s CSRF token (403), and changes nothing', async () => {
    const admin = await signedIn('ADMIN', acme.id);
    const before = await nameOf(acme.id);
    const otherSession = await signedIn('ADMIN', acme.id);
    for (const csrf of [null, 'forged', otherSession.csrf]) {
      const res = await dashboardGraphql(url, { session: admin.session, csrf }, RENAME, { id: acme.id, name: 'Forged rename' });
      expect(res.status).toBe(403);
      expect(res.errors?.[0]?.extensions?.code).toBe('CSRF_TOKEN_INVALID');
      expect(res.extensions?.requestId).toBe(res.headers.get('x-request-id'));
    }
    expect(await nameOf(acme.id)).toBe(before);
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
    ['no Sec-Fetch-Site and another Origin', { origin: 'https://evil.example' }],
    ['neither Sec-Fetch-Site nor Origin', {}],
  ])('refuses a cross-site operation (%s) with 403, and changes nothing', async (_what, headers: Record<string, string>) => {
    const admin = await signedIn('ADMIN', acme.id);
    const before = await nameOf(acme.id);
    const res = await fetch(`${url}/dashboard/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `ids_dashboard_session=${admin.session}`, 'x-csrf-token': admin.csrf!, ...headers },
      body: JSON.stringify({ query: RENAME, variables: { id: acme.id, name: 'Cross-site rename' } }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('FORBIDDEN');
    expect(await nameOf(acme.id)).toBe(before);
  });

  it('never authenticates by an Authorization header: without a session 401, with one the session\'s token alone counts', async () => {
    const owner = await operatorToken(app, 'OWNER', null);
    for (const bearer of [owner, TEST_ADMIN_TOKEN]) {
      const res = await dashboardGraphql(url, { session: null, csrf: null }, ME, {}, { authorization: `Bearer ${bearer}` });
      expect(res.status).toBe(401);
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    const viewer = await signedIn('VIEWER', acme.id);
    const me = await dashboardGraphql<{ me: { role: string; customerId: string } }>(url, viewer, ME, {}, { authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
    expect(me.data!.me).toEqual(expect.objectContaining({ role: 'VIEWER', customerId: acme.id }));
  });

  it('answers 401 UNAUTHENTICATED after sign-out', async () => {
    const viewer = await signedIn('VIEWER', null);
    expect((await dashboardGraphql(url, viewer, ME)).status).toBe(200);
    const out = await fetch(`${url}/dashboard/api/session`, { method: 'DELETE', headers: { cookie: `ids_dashboard_session=${viewer.session}`, origin: url, 'x-csrf-token': viewer.csrf! } });
    expect(out.status).toBe(204);
    const after = await dashboardGraphql(url, viewer, ME);
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('ends the session at the next operation once its token is revoked', async () => {
    const support = await signedIn('SUPPORT', acme.id);
    const id = await tokenId(support.token);
    expect((await dashboardGraphql(url, support, ME)).status).toBe(200);
    const revoked = await graphql(url, 'mutation($id: ID!) { revokeOperatorToken(id: $id) { operatorToken { id } } }', { id });
    expect(revoked.errors).toBeUndefined();
    const after = await dashboardGraphql(url, support, CUSTOMERS);
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(after.data ?? null).toBeNull();
    // The session itself is gone, not only this operation refused.
    expect((await fetch(`${url}/dashboard/api/session`, { headers: { cookie: `ids_dashboard_session=${support.session}` } })).status).toBe(401);
  });

  it('costs the statements a bearer token\'s operation costs: one lookup of the token by id', async () => {
    const support = await signedIn('SUPPORT', acme.id);
    // Warm both paths (first uses fill caches).
    await dashboardGraphql(url, support, ME);
    await graphql(url, ME, {}, support.token);
    const bySession = await statementsOf(() => dashboardGraphql(url, support, ME));
    const byBearer = await statementsOf(() => graphql(url, ME, {}, support.token));
    expect(bySession.filter((text) => text.includes('ids_enter_operator_token_by_id'))).toHaveLength(1);
    expect(bySession.filter((text) => text.includes('operator_token'))).toHaveLength(1);
    expect(bySession).toHaveLength(byBearer.length);
  });
});
