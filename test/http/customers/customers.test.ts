import { App } from '../../../src/app';
import { inContext, ownerSql, resetDatabase, startTestApp, tableCounts } from '../../support/app';
import { graphql } from '../../support/graphql';

const CUSTOMER_FIELDS = `id slug name homeUrl verifyUrl region promptPolicy trustedRealms openidIdentifier postbackUrl returnUrl createdAt updatedAt`;
const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { apiKey customer { ${CUSTOMER_FIELDS} } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateCustomerInput!) { updateCustomer(id: $id, input: $input) { customer { ${CUSTOMER_FIELDS} } } }`;
const ROTATE = `mutation($id: ID!) { rotateCustomerApiKey(id: $id) { apiKey previousKeysExpireAt customer { id updatedAt } } }`;
const LIST = `query($first: Int!, $after: String) { customers(first: $first, after: $after) { nodes { slug } pageInfo { hasNextPage endCursor } } }`;

const validInput = (overrides: Record<string, unknown> = {}) => ({
  slug: 'acme',
  name: 'Acme Corp',
  homeUrl: 'https://acme.example.com/',
  verifyUrl: 'https://login.acme.example.com/verify',
  region: 'EU',
  trustedRealms: ['https://*.shop.example.org/'],
  ...overrides,
});

type Created = { createCustomer: { apiKey: string; customer: Record<string, unknown> & { id: string } } };

describe('customer configuration over GraphQL', () => {
  let app: App;
  let url: string;

  beforeAll(async () => {
    app = await startTestApp({ PUBLIC_URL: 'https://id.example.net' });
    url = app.url!;
  });
  afterAll(() => app.stop());
  beforeEach(() => resetDatabase());

  async function create(overrides: Record<string, unknown> = {}) {
    const res = await graphql<Created>(url, CREATE, { input: validInput(overrides) });
    expect(res.errors).toBeUndefined();
    return res.data!.createCustomer;
  }

  it('creates a customer with derived endpoint URLs and a one-time API key', async () => {
    const { apiKey, customer } = await create();
    expect(apiKey).toMatch(/^ids_[A-Za-z0-9_-]{43}$/);
    expect(customer).toMatchObject({
      slug: 'acme',
      name: 'Acme Corp',
      region: 'EU',
      promptPolicy: 'PROMPT',
      trustedRealms: ['https://*.shop.example.org/'],
      openidIdentifier: 'https://id.example.net/c/acme/',
      postbackUrl: 'https://id.example.net/c/acme/ows_auth',
      returnUrl: 'https://id.example.net/c/acme/ows_return',
    });
    const read = await graphql<{ customer: { slug: string } }>(url, `query($id: ID!) { customer(id: $id) { slug } }`, { id: customer.id });
    expect(read.data!.customer.slug).toBe('acme');
    const bySlug = await graphql<{ customer: { id: string } }>(url, `{ customer(slug: "acme") { id } }`);
    expect(bySlug.data!.customer.id).toBe(customer.id);
  });

  it('stores only a hash of the API key and never returns it from a read', async () => {
    const { apiKey, customer } = await create();
    const dump = JSON.stringify(await ownerSql('select * from customer_api_key'));
    expect(dump).not.toContain(apiKey);
    expect(dump).not.toContain(apiKey.slice(4));
    const probe = await graphql(url, `query($id: ID!) { customer(id: $id) { apiKey } }`, { id: customer.id });
    expect(probe.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const verify = (key: string) => inContext(app, () => app.services.customers.verifyApiKey(customer.id, key));
    expect(await verify(apiKey)).toBe(true);
    expect(await verify(`${apiKey}x`)).toBe(false);
  });

  it.each([
    ['slug', { slug: 'Not A Slug' }],
    ['slug', { slug: '-leading-hyphen' }],
    ['name', { name: '   ' }],
    ['name', { name: 'bad\nname' }],
    ['verifyUrl', { verifyUrl: 'http://login.acme.example.com/verify' }],
    ['verifyUrl', { verifyUrl: 'not a url' }],
    ['verifyUrl', { verifyUrl: 'https://user:pw@login.acme.example.com/' }],
    ['homeUrl', { homeUrl: 'ftp://acme.example.com/' }],
    ['trustedRealms', { trustedRealms: ['http://*.com/'] }],
    ['trustedRealms', { trustedRealms: ['ftp://foo.com'] }],
    ['trustedRealms', { trustedRealms: ['http://foo.com/#fragment'] }],
  ])('refuses an invalid %s and writes nothing', async (field, overrides) => {
    const before = await tableCounts();
    const res = await graphql(url, CREATE, { input: validInput(overrides) });
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await tableCounts()).toEqual(before);
  });

  it('accepts plain http URLs on loopback hosts for local demos', async () => {
    const { customer } = await create({ verifyUrl: 'http://127.0.0.1:4000/login', homeUrl: 'http://localhost:4000/' });
    expect(customer.verifyUrl).toBe('http://127.0.0.1:4000/login');
  });

  it('refuses a slug that is already taken and keeps the first customer', async () => {
    const first = await create();
    const before = await tableCounts();
    const res = await graphql(url, CREATE, { input: validInput({ name: 'Impostor' }) });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'slug' });
    expect(await tableCounts()).toEqual(before);
    const read = await graphql<{ customer: { name: string } }>(url, `query($id: ID!) { customer(id: $id) { name } }`, { id: first.customer.id });
    expect(read.data!.customer.name).toBe('Acme Corp');
  });

  it('updates only the fields given', async () => {
    const { customer } = await create();
    const res = await graphql<{ updateCustomer: { customer: Record<string, unknown> } }>(url, UPDATE, {
      id: customer.id,
      input: { name: 'Acme Europe', promptPolicy: 'NO_PROMPT', homeUrl: null },
    });
    expect(res.errors).toBeUndefined();
    const updated = res.data!.updateCustomer.customer;
    expect(updated).toMatchObject({
      name: 'Acme Europe',
      promptPolicy: 'NO_PROMPT',
      homeUrl: null,
      verifyUrl: customer.verifyUrl,
      trustedRealms: customer.trustedRealms,
      createdAt: customer.createdAt,
    });
    expect(Date.parse(updated.updatedAt as string)).toBeGreaterThanOrEqual(Date.parse(customer.updatedAt as string));
  });

  it('refuses an invalid update, naming the field, and changes nothing', async () => {
    const { customer } = await create();
    for (const [field, input] of [
      ['verifyUrl', { name: 'Changed', verifyUrl: null }],
      ['trustedRealms', { name: 'Changed', trustedRealms: ['http://*/'] }],
      ['region', { region: null }],
    ] as const) {
      const res = await graphql(url, UPDATE, { id: customer.id, input });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const read = await graphql<{ customer: Record<string, unknown> }>(url, `query($id: ID!) { customer(id: $id) { ${CUSTOMER_FIELDS} } }`, {
      id: customer.id,
    });
    expect(read.data!.customer).toEqual(customer);
  });

  it('answers NOT_FOUND for an update of an unknown customer', async () => {
    const res = await graphql(url, UPDATE, { id: '00000000-0000-4000-8000-000000000000', input: { name: 'x' } });
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('rotates the API key, keeping the old one valid only for the grace period', async () => {
    const { apiKey: oldKey, customer } = await create();
    const before = Date.now();
    const res = await graphql<{ rotateCustomerApiKey: { apiKey: string; previousKeysExpireAt: string } }>(url, ROTATE, { id: customer.id });
    const newKey = res.data!.rotateCustomerApiKey.apiKey;
    expect(newKey).not.toBe(oldKey);
    // The payload says when the old key stops: now plus the grace period (API_KEY_ROTATION_GRACE_SECONDS, 86400 by default).
    const graceEnds = Date.parse(res.data!.rotateCustomerApiKey.previousKeysExpireAt) - before;
    expect(graceEnds).toBeGreaterThanOrEqual(86400_000 - 1000);
    expect(graceEnds).toBeLessThanOrEqual(86400_000 + 60_000);
    const verify = (key: string) => inContext(app, () => app.services.customers.verifyApiKey(customer.id, key));
    expect(await verify(newKey)).toBe(true);
    expect(await verify(oldKey)).toBe(true);

    // Move the rotated key's grace period into the past, as time would.
    await ownerSql(`update customer_api_key set expires_at = now() - interval '1 second' where expires_at is not null`);
    expect(await verify(oldKey)).toBe(false);
    expect(await verify(newKey)).toBe(true);
  });

  it('pages through customers with cursors, oldest first, without gaps or repeats', async () => {
    const slugs = ['a1', 'a2', 'a3', 'a4', 'a5'];
    for (const slug of slugs) await create({ slug });
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: Awaited<ReturnType<typeof graphql<{ customers: { nodes: Array<{ slug: string }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>>> =
        await graphql(url, LIST, { first: 2, after });
      const { nodes, pageInfo } = res.data!.customers;
      seen.push(...nodes.map((n) => n.slug));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(seen).toEqual(slugs);
  });

  it.each([
    ['first', { first: 0 }],
    ['first', { first: 101 }],
    ['after', { first: 2, after: 'bm90LWEtY3Vyc29y' }],
  ])('refuses a bad %s argument with BAD_USER_INPUT', async (field, variables) => {
    const res = await graphql(url, LIST, variables);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it.each([
    ['no Authorization header', null],
    ['a wrong token', 'not-the-admin-token-but-long-enough-0123456789'],
  ])('refuses an operation with %s and writes nothing', async (_case, token) => {
    const before = await tableCounts();
    const res = await graphql(url, CREATE, { input: validInput() }, token);
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await tableCounts()).toEqual(before);
  });
});
