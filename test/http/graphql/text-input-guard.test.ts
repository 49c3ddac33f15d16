import { App, startApp } from '../../../src/app';
import { createLogger } from '../../../src/shared/logger';
import { createTestCustomer, tableCounts } from '../../support/app';
import { testConfig } from '../../support/config';
import { graphql } from '../../support/graphql';

/** Every log line the service writes, kept in memory so a test can look for personal values in them. */
function capturedLog(level = 'debug') {
  const lines: string[] = [];
  return { lines, log: createLogger(level, { write: (line: string) => void lines.push(line) }) };
}

const MARKER = 'nul.marker.person@example.com';

describe('control characters in GraphQL text inputs', () => {
  let app: App;
  let customerId: string;
  const captured = capturedLog();
  beforeAll(async () => {
    app = await startApp({ config: testConfig({ ROLE: 'api' }), log: captured.log });
    customerId = (await createTestCustomer(app, 'nulls')).customer.id;
  });
  afterAll(() => app.stop());

  it.each([
    ['a filter (profileByUsername)', `query($c: ID!, $u: String!) { profileByUsername(customerId: $c, username: $u) { id } }`, { u: `${MARKER}\u0000` }, '$u'],
    ['a nested input field', `mutation($c: ID!, $n: String!) { updateCustomer(id: $c, input: { name: $n }) { customer { name } } }`, { n: `Acme\u0007${MARKER}` }, '$n'],
    ['a DEL and a C1 character', `query($c: ID!, $u: String!) { profileByUsername(customerId: $c, username: $u) { id } }`, { u: `x\u007f\u0085${MARKER}` }, '$u'],
    ['an inline literal', `query($c: ID!) { profileByUsername(customerId: $c, username: "${MARKER}\\u0000") { id } }`, {}, 'username'],
  ])('refuses %s with BAD_USER_INPUT naming it, changing nothing and logging no value', async (_what, query, variables, field) => {
    const before = await tableCounts();
    const linesBefore = captured.lines.length;
    const res = await graphql(app.url!, query, { c: customerId, ...variables });
    expect(res.status).toBe(400);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(res.data ?? null).toBeNull();
    expect(await tableCounts()).toEqual(before);
    expect(captured.lines.slice(linesBefore).join('\n')).not.toContain(MARKER);
  });

  it("lets tabs and line breaks through to the field's own validation (free text may span lines)", async () => {
    const res = await graphql<{ profileByUsername: null }>(app.url!, `query($c: ID!, $u: String!) { profileByUsername(customerId: $c, username: $u) { id } }`, {
      c: customerId,
      u: 'line one\n\tline two\r\n',
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.profileByUsername).toBeNull();
  });
});

describe('database errors in the log', () => {
  it('carry their SQLSTATE and table, never the statement or the values in it', async () => {
    const captured = capturedLog();
    const app = await startApp({ config: testConfig({ ROLE: 'api' }), log: captured.log });
    try {
      const error = await app.orm.em
        .fork()
        .execute(`select ?::int as n`, [MARKER])
        .then(() => null, (err: unknown) => err);
      expect(error).toBeInstanceOf(Error);
      // The driver's own message holds the statement and the value: what must not reach a log line.
      expect(String((error as Error).message)).toContain(MARKER);
      captured.log.error({ err: error }, 'statement failed');
      captured.log.error({ err: new Error('wrapped', { cause: error }) }, 'wrapped statement failed');
      const logged = captured.lines.filter((line) => line.includes('statement failed'));
      expect(logged).toHaveLength(2);
      for (const line of logged) {
        expect(line).not.toContain(MARKER);
        expect(line).toContain('22P02'); // invalid_text_representation
      }
    } finally {
      await app.stop();
    }
  });
});

describe('GraphQL error messages in production', () => {
  const query = `{ customerz { id } }`;
  it('suggest no field names (the schema is not introspectable there either)', async () => {
    const app = await startApp({ config: testConfig({ ROLE: 'api', NODE_ENV: 'production' }), log: createLogger('silent') });
    try {
      const res = await graphql(app.url!, query);
      expect(res.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.errors![0]!.message).not.toMatch(/Did you mean/);
    } finally {
      await app.stop();
    }
  });

  it('still suggest them in development, where they help', async () => {
    const app = await startApp({ config: testConfig({ ROLE: 'api' }), log: createLogger('silent') });
    try {
      const res = await graphql(app.url!, query);
      expect(res.errors![0]!.message).toMatch(/Did you mean "customers?"/);
    } finally {
      await app.stop();
    }
  });
});
