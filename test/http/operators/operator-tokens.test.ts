import { createHmac } from 'node:crypto';
import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startTestApp } from '../../support/app';
import { TEST_ADMIN_TOKEN, TEST_SECRET_KEY } from '../../support/env';
import { graphql } from '../../support/graphql';
import { clientToken, seedProfile } from '../../support/oauth';
import { operatorToken } from '../../support/operators';

const ME = 'query { me { kind id name role customerId subject scopes } }';

describe('operator tokens', () => {
  let app: App;
  let a: { id: string; profileId: string };
  let b: { id: string; profileId: string };

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());

  beforeEach(async () => {
    await resetDatabase();
    for (const slug of ['alpha', 'beta']) {
      const { customer } = await createTestCustomer(app, slug);
      const ids = { id: customer.id, profileId: await seedProfile(app, customer.id, `${slug}-user`, { email: `${slug}@example.org` }) };
      if (slug === 'alpha') a = ids;
      else b = ids;
    }
  });

  async function tokenRows(): Promise<Array<Record<string, unknown>>> {
    return ownerSql('select * from operator_token');
  }

  it('is shown once as ops_ + 43 characters and stored only as HMAC-SHA256 under SECRET_KEY', async () => {
    const token = await operatorToken(app, 'ADMIN', a.id);
    expect(token).toMatch(/^ops_[A-Za-z0-9_-]{43}$/);
    const rows = await tokenRows();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token.slice(4));
    expect(rows[0]!.token_hash).toBe(createHmac('sha256', TEST_SECRET_KEY).update(token).digest('hex'));
    expect(rows[0]).toMatchObject({ role: 'admin', customer_id: a.id, created_by: 'bootstrap-admin', revoked_at: null, expires_at: null });
  });

  it('a customer-bound admin sees none of another customer\'s data', async () => {
    const admin = await operatorToken(app, 'ADMIN', a.id);
    const res = await graphql<Record<string, unknown>>(
      app.url!,
      `query($b: ID!, $bp: ID!) {
        customers(first: 100) { nodes { id } }
        customer(id: $b) { id }
        profiles(first: 100) { nodes { id customerId } }
        profile(id: $bp) { id }
        profileByUsername(customerId: $b, username: "beta-user") { id }
      }`,
      { b: b.id, bp: b.profileId },
      admin,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      customers: { nodes: [{ id: a.id }] },
      customer: null,
      profiles: { nodes: [{ id: a.profileId, customerId: a.id }] },
      profile: null,
      profileByUsername: null,
    });
    const update = await graphql(app.url!, 'mutation($id: ID!) { updateProfile(id: $id, input: { nickname: "x" }) { profile { id } } }', { id: b.profileId }, admin);
    expect(update.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const rename = await graphql(app.url!, 'mutation($id: ID!) { updateCustomer(id: $id, input: { name: "x" }) { customer { id } } }', { id: b.id }, admin);
    expect(rename.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('a customer-bound owner manages only its own customer\'s tokens', async () => {
    const ownerA = await operatorToken(app, 'OWNER', a.id);
    await operatorToken(app, 'VIEWER', b.id);
    const create = (customerId: string | null) =>
      graphql(app.url!, 'mutation($c: ID) { createOperatorToken(input: { name: "n", role: ADMIN, customerId: $c }) { token } }', { c: customerId }, ownerA);
    expect((await create(b.id)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await create(null)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await create(a.id)).errors).toBeUndefined();

    const listed = await graphql<{ operatorTokens: { nodes: Array<{ id: string; customerId: string }> } }>(
      app.url!, 'query { operatorTokens(first: 100) { nodes { id customerId } } }', {}, ownerA,
    );
    expect(listed.data?.operatorTokens.nodes.map((t) => t.customerId)).toEqual([a.id, a.id]);
    const [bRow] = (await tokenRows()).filter((r) => r.customer_id === b.id);
    const revoke = await graphql(app.url!, 'mutation($id: ID!) { revokeOperatorToken(id: $id) { operatorToken { id } } }', { id: bRow!.id }, ownerA);
    expect(revoke.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses revoked, expired and unknown tokens with 401', async () => {
    const token = await operatorToken(app, 'VIEWER', a.id);
    expect((await graphql(app.url!, ME, {}, token)).status).toBe(200);
    const [row] = await tokenRows();
    const revoked = await graphql<{ revokeOperatorToken: { operatorToken: { isRevoked: boolean } } }>(
      app.url!, 'mutation($id: ID!) { revokeOperatorToken(id: $id) { operatorToken { isRevoked } } }', { id: row!.id },
    );
    expect(revoked.data?.revokeOperatorToken.operatorToken.isRevoked).toBe(true);
    const refused = await graphql(app.url!, ME, {}, token);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const expiring = await operatorToken(app, 'VIEWER', a.id);
    await ownerSql(`update operator_token set expires_at = now() - interval '1 second' where revoked_at is null`);
    expect((await graphql(app.url!, ME, {}, expiring)).status).toBe(401);
    expect((await graphql(app.url!, ME, {}, `ops_${'A'.repeat(43)}`)).status).toBe(401);
  });

  it('records last use, at most once a minute', async () => {
    const token = await operatorToken(app, 'VIEWER', a.id);
    expect((await tokenRows())[0]!.last_used_at).toBeNull();
    await graphql(app.url!, ME, {}, token);
    const first = (await tokenRows())[0]!.last_used_at;
    expect(first).not.toBeNull();
    await graphql(app.url!, ME, {}, token);
    expect((await tokenRows())[0]!.last_used_at).toEqual(first);
  });

  describe('me', () => {
    it('describes the bootstrap operator as a platform owner', async () => {
      const res = await graphql<{ me: Record<string, unknown> }>(app.url!, ME, {}, TEST_ADMIN_TOKEN);
      expect(res.data?.me).toMatchObject({ kind: 'OPERATOR', id: 'bootstrap-admin', role: 'OWNER', customerId: null });
      expect(res.data?.me.scopes).toEqual(expect.arrayContaining(['operator', 'operators:manage', 'profiles:delete', 'profile.email']));
    });

    it('describes an operator token with its role, customer and scopes', async () => {
      const token = await operatorToken(app, 'AUDITOR', a.id);
      const res = await graphql<{ me: Record<string, unknown> }>(app.url!, ME, {}, token);
      expect(res.data?.me).toMatchObject({ kind: 'OPERATOR_TOKEN', name: 'auditor token', role: 'AUDITOR', customerId: a.id, subject: null });
      expect(res.data?.me.scopes).toEqual(['customers:read', 'requests:read', 'audit:read']);
    });

    it('describes an OAuth client with its customer and scopes', async () => {
      const { token, clientId } = await clientToken(app, a.id, ['requests:read']);
      const res = await graphql<{ me: Record<string, unknown> }>(app.url!, ME, {}, token);
      expect(res.data?.me).toEqual({ kind: 'CLIENT', id: clientId, name: null, role: null, customerId: a.id, subject: null, scopes: ['requests:read'] });
    });
  });
});
