import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startTestApp } from '../../support/app';
import { graphql, GraphqlResponse } from '../../support/graphql';
import { seedProfile } from '../../support/oauth';
import { operatorToken } from '../../support/operators';

type Role = 'OWNER' | 'ADMIN' | 'SUPPORT' | 'AUDITOR' | 'VIEWER';

interface Ids {
  customerId: string;
  profileId: string;
}

/** One representative operation per scope area; `vars` fills in the ids of the seeded customer. */
const OPERATIONS: Record<string, { query: string; vars?: (ids: Ids) => Record<string, unknown> }> = {
  'read customers': { query: 'query { customers(first: 5) { nodes { id } } }' },
  'update a customer': {
    query: 'mutation($id: ID!) { updateCustomer(id: $id, input: { name: "Renamed" }) { customer { id } } }',
    vars: (ids) => ({ id: ids.customerId }),
  },
  'list auth requests': { query: 'query { authRequests(first: 5) { nodes { id status } } }' },
  'see who signed in where': { query: 'query { authRequests(first: 5) { nodes { id username realm releasedFields } } }' },
  'list consent decisions': { query: 'query { consentDecisions(first: 5) { nodes { id decision } } }' },
  'see who consented to what': { query: 'query { consentDecisions(first: 5) { nodes { id username realm grantedFields } } }' },
  'export a restricted person for their access request': {
    query: 'mutation($id: ID!) { requestProfileExport(profileId: $id, forDataSubjectAccessRequest: true) { profileExport { id } } }',
    vars: (ids) => ({ id: ids.profileId }),
  },
  'revoke a consent decision': { query: 'mutation { revokeConsentDecision(id: "00000000-0000-4000-8000-000000000000") { consentDecision { id } } }' },
  'read profiles with a personal field': { query: 'query { profiles(first: 5) { nodes { id email } } }' },
  'update a profile': {
    query: 'mutation($id: ID!) { updateProfile(id: $id, input: { nickname: "fixed" }) { profile { id } } }',
    vars: (ids) => ({ id: ids.profileId }),
  },
  'create an operator token': {
    query: 'mutation($c: ID!) { createOperatorToken(input: { name: "x", role: VIEWER, customerId: $c }) { token } }',
    vars: (ids) => ({ c: ids.customerId }),
  },
  'create a customer': {
    query: 'mutation { createCustomer(input: { slug: "newco", name: "NewCo", verifyUrl: "http://127.0.0.1:9/verify", region: EU }) { customer { id } } }',
  },
  'list OAuth clients': { query: 'query($c: ID!) { oauthClients(customerId: $c, first: 5) { nodes { id } } }', vars: (ids) => ({ c: ids.customerId }) },
};

type Operation = keyof typeof OPERATIONS;

/** What each customer-bound role may do (README, Operators and roles); everything else is FORBIDDEN. */
const PERSONAL: Operation[] = ['see who signed in where', 'see who consented to what'];
const ALLOWED: Record<Role, Operation[]> = {
  OWNER: [
    'read customers', 'update a customer', 'list auth requests', 'list consent decisions', 'revoke a consent decision', 'read profiles with a personal field', 'update a profile',
    'create an operator token', ...PERSONAL, 'export a restricted person for their access request',
  ],
  ADMIN: [
    'read customers', 'update a customer', 'list auth requests', 'list consent decisions', 'revoke a consent decision', 'read profiles with a personal field', 'update a profile',
    ...PERSONAL, 'export a restricted person for their access request',
  ],
  SUPPORT: ['read customers', 'list auth requests', 'list consent decisions', 'read profiles with a personal field', 'update a profile', ...PERSONAL],
  AUDITOR: ['read customers', 'list auth requests'],
  VIEWER: ['read customers', 'list auth requests'],
};

function isForbidden(res: GraphqlResponse): boolean {
  return (res.errors ?? []).some((e) => e.extensions?.code === 'FORBIDDEN');
}

describe('operator roles: each role can do exactly what the role table says', () => {
  let app: App;
  let ids: Ids;
  const tokens = {} as Record<Role | 'PLATFORM_OWNER' | 'PLATFORM_ADMIN', string>;

  beforeAll(async () => {
    app = await startTestApp();
    await resetDatabase();
    const { customer } = await createTestCustomer(app, 'alpha');
    ids = { customerId: customer.id, profileId: await seedProfile(app, customer.id, 'alice', { email: 'alice@example.org', nickname: 'al' }) };
    // One sign-in and one decision of hers, so field-level scopes on them have a row to apply to.
    await ownerSql(
      `insert into auth_request (id, customer_id, request_id_hash, status, mode, realm, return_to, openid_request, username, outcome, released_fields, created_at, updated_at, expires_at)
       values (gen_random_uuid(), ?, repeat('a', 64), 'COMPLETED', 'checkid_setup', 'https://rp.example/', 'https://rp.example/back', '{}', 'alice', 'id_res', '{email}', now(), now(), now())`,
      [customer.id],
    );
    await ownerSql(
      `insert into consent_decision (id, customer_id, username, realm, decision, granted_fields, is_remembered, decided_at) values (gen_random_uuid(), ?, 'alice', 'https://rp.example/', 'ALLOW', '{email}', false, now())`,
      [customer.id],
    );
    for (const role of Object.keys(ALLOWED) as Role[]) tokens[role] = await operatorToken(app, role, customer.id);
    tokens.PLATFORM_OWNER = await operatorToken(app, 'OWNER', null);
    tokens.PLATFORM_ADMIN = await operatorToken(app, 'ADMIN', null);
  });
  afterAll(() => app.stop());

  const table = (Object.keys(ALLOWED) as Role[]).flatMap((role) =>
    (Object.keys(OPERATIONS) as Operation[]).map((operation) => [role, operation, ALLOWED[role].includes(operation)] as const),
  );

  it.each(table)('a customer-bound %s: %s → allowed %s', async (role, operation, allowed) => {
    const op = OPERATIONS[operation]!;
    const res = await graphql(app.url!, op.query, op.vars?.(ids) ?? {}, tokens[role]);
    expect(res.status).toBe(200);
    expect(isForbidden(res)).toBe(!allowed);
    // A forbidden operation takes its whole field; a forbidden personal field only itself (the row's id and status stay).
    if (!allowed && !PERSONAL.includes(operation)) expect(res.data?.[Object.keys(res.data ?? {})[0] ?? ''] ?? null).toBeNull();
    if (!allowed && PERSONAL.includes(operation) && res.data) expect(JSON.stringify(res.data)).not.toContain('alice');
  });

  it('only a platform-wide owner creates customers and manages OAuth clients', async () => {
    for (const operation of ['create a customer', 'list OAuth clients'] as const) {
      const op = OPERATIONS[operation]!;
      expect(isForbidden(await graphql(app.url!, op.query, op.vars?.(ids) ?? {}, tokens.PLATFORM_OWNER))).toBe(false);
      expect(isForbidden(await graphql(app.url!, op.query, op.vars?.(ids) ?? {}, tokens.PLATFORM_ADMIN))).toBe(true);
    }
  });

  it('a support token reads personal fields but an auditor gets FORBIDDEN at profiles', async () => {
    const support = await graphql<{ profiles: { nodes: Array<{ email: string }> } }>(app.url!, OPERATIONS['read profiles with a personal field']!.query, {}, tokens.SUPPORT);
    expect(support.data?.profiles.nodes.map((p) => p.email)).toEqual(['alice@example.org']);
    const auditor = await graphql(app.url!, OPERATIONS['read profiles with a personal field']!.query, {}, tokens.AUDITOR);
    expect(auditor.errors?.[0]).toMatchObject({ path: ['profiles'], extensions: { code: 'FORBIDDEN' } });
  });
});
