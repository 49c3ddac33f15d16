import { App } from '../../../src/app';
import { createTestCustomer, resetDatabase, startPublicTestApp, startTestApp, tableCounts } from '../../support/app';
import { graphql } from '../../support/graphql';
import { TEST_ADMIN_TOKEN } from '../../support/env';

const createCustomer = (slug: string) => `mutation { createCustomer(input: { slug: "${slug}", name: "${slug}", verifyUrl: "https://login.example.com/verify", region: EU }) { customer { id } } }`;

/** What no answer may contain: a stack frame, a source path, a driver or parser message. */
const INTERNALS = /\bat .+\(|node_modules|\/src\/|\.ts:\d+|Unexpected token|SyntaxError|stacktrace|PayloadTooLargeError|knex|mikro/i;

describe('HTTP hygiene', () => {
  let app: App;
  beforeAll(async () => {
    app = await startPublicTestApp({ HTTP_MAX_URL_LENGTH: '2048', HTTP_MAX_HEADER_BYTES: '8192' });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    await createTestCustomer(app, 'acme');
  });

  it.each([
    ['the health check', '/healthz', {}],
    ['an unknown path', '/nope', {}],
    ['a discovery page', '/c/acme/', {}],
    ['an OpenID error page', '/c/acme/openid?openid.mode=checkid_setup', {}],
    ['the token endpoint', '/oauth/token', { method: 'POST' }],
    ['GraphQL', '/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }],
  ] as Array<[string, string, RequestInit]>)('sets the security headers on %s', async (_what, path, init) => {
    const res = await fetch(`${app.url}${path}`, { redirect: 'manual', ...init });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none';.*frame-ancestors 'none'/);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // Plain http with no trusted proxy: no HSTS (browsers ignore it there, and it would pin a dev host to https).
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('answers 414 to a URL over HTTP_MAX_URL_LENGTH and 431 to headers over HTTP_MAX_HEADER_BYTES, changing nothing', async () => {
    const before = await tableCounts();
    const long = await fetch(`${app.url}/c/acme/openid?openid.mode=checkid_setup&x=${'a'.repeat(2100)}`);
    expect(long.status).toBe(414);
    expect(await long.text()).toMatch(/^error: uri_too_long\nrequest_id: [0-9a-f-]{36}\n$/);
    const big = await fetch(`${app.url}/healthz`, { headers: { 'x-filler': 'h'.repeat(9000) } });
    expect(big.status).toBe(431);
    expect((await fetch(`${app.url}/c/acme/openid?x=${'a'.repeat(1900)}`)).status).not.toBe(414);
    expect(await tableCounts()).toEqual(before);
  });

  it('refuses a batch of GraphQL operations whole, executing none of it', async () => {
    const before = await tableCounts();
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      body: JSON.stringify([{ query: createCustomer('globex') }, { query: createCustomer('initech') }]),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toMatch(INTERNALS);
    expect(await tableCounts()).toEqual(before);
  });

  it('shows no stack, source path or parser message in error answers, and names the request id in each', async () => {
    const answers = [
      await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' }),
      await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ x: "${'a'.repeat(200_000)}" }` }) }),
      await fetch(`${app.url}/c/acme/openid`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'openid.mode=%ZZ' }),
      await fetch(`${app.url}/c/acme/openid`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a'.repeat(70_000) }),
      await fetch(`${app.url}/nope`),
    ];
    expect(answers.map((r) => r.status)).toEqual([400, 413, 400, 413, 404]);
    for (const res of answers) {
      const body = await res.text();
      expect(body).not.toMatch(INTERNALS);
      if (res.status !== 404) expect(body).toContain(res.headers.get('x-request-id')!);
    }
    const gql = await graphql(app.url!, '{ nosuchfield }');
    expect(gql.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(gql)).not.toMatch(INTERNALS);
    expect((gql as unknown as { extensions: { requestId: string } }).extensions.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('HSTS and introspection by deployment', () => {
  it('sends HSTS when a trusted proxy says https, or PUBLIC_URL is https, and never otherwise', async () => {
    const proxied = await startTestApp({ TRUST_PROXY: 'true' });
    try {
      expect((await fetch(`${proxied.url}/healthz`, { headers: { 'x-forwarded-proto': 'https' } })).headers.get('strict-transport-security')).toMatch(/^max-age=31536000/);
      expect((await fetch(`${proxied.url}/healthz`)).headers.get('strict-transport-security')).toBeNull();
    } finally {
      await proxied.stop();
    }
    const untrusted = await startTestApp({ TRUST_PROXY: 'false' });
    try {
      expect((await fetch(`${untrusted.url}/healthz`, { headers: { 'x-forwarded-proto': 'https' } })).headers.get('strict-transport-security')).toBeNull();
    } finally {
      await untrusted.stop();
    }
    const tls = await startTestApp({ PUBLIC_URL: 'https://id.example.com' });
    try {
      expect((await fetch(`${tls.url}/healthz`)).headers.get('strict-transport-security')).toMatch(/^max-age=/);
    } finally {
      await tls.stop();
    }
  });

  it('turns introspection off in production and leaves it on in development', async () => {
    const introspect = (url: string) => graphql(url, '{ __schema { queryType { name } } }');
    const production = await startTestApp({ NODE_ENV: 'production' });
    try {
      const res = await introspect(production.url!);
      expect(res.data).toBeUndefined();
      expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.errors?.[0]?.message).toMatch(/introspection/i);
    } finally {
      await production.stop();
    }
    const development = await startTestApp({ NODE_ENV: 'development' });
    try {
      expect((await introspect(development.url!)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    } finally {
      await development.stop();
    }
  });
});
