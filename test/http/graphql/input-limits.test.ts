import { App } from '../../../src/app';
import { resetDatabase, startTestApp, tableCounts } from '../../support/app';
import { graphql } from '../../support/graphql';

const createCustomer = (alias: string, slug: string) =>
  `${alias}: createCustomer(input: { slug: "${slug}", name: "${slug}", verifyUrl: "https://login.example.com/verify", region: EU }) { customer { id } }`;

/** Depth counts field levels, with fragments expanded in place. */
const DEPTH_3 = `{ profiles { nodes { id } } }`;
const DEPTH_4 = `query { profiles { nodes { ...withDecisions } } } fragment withDecisions on Profile { consentDecisions { id } }`;

describe('GraphQL input limits', () => {
  let app: App;

  beforeAll(async () => {
    app = await startTestApp({ GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_ALIASES: '2', GRAPHQL_MAX_COMPLEXITY: '300' });
  });
  afterAll(() => app.stop());
  beforeEach(() => resetDatabase());

  function expectRefused(res: Awaited<ReturnType<typeof graphql>>, limit: string): void {
    expect(res.status).toBe(400);
    expect(res.data).toBeUndefined();
    expect(res.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining(`operation ${limit}`), extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED', limit }) }),
    ]);
  }

  it('runs an operation at the depth limit and refuses one level deeper, counting fragments', async () => {
    expect((await graphql(app.url!, DEPTH_3)).errors).toBeUndefined();
    expectRefused(await graphql(app.url!, DEPTH_4), 'depth');
  });

  it('runs a mutation with the most aliases allowed and refuses one more without executing any of it', async () => {
    const allowed = await graphql(app.url!, `mutation { ${createCustomer('a', 'acme')} ${createCustomer('b', 'globex')} }`);
    expect(allowed.errors).toBeUndefined();
    const before = await tableCounts();
    expect(before.customer).toBe(2);

    const refused = await graphql(app.url!, `mutation { ${createCustomer('c', 'initech')} ${createCustomer('d', 'umbrella')} ${createCustomer('e', 'hooli')} }`);
    expectRefused(refused, 'aliases');
    expect(await tableCounts()).toEqual(before);
  });

  it('counts the fields under `first` that many times, a variable without default as the largest page', async () => {
    // profiles = 1 + first * (nodes = 1 + id + username) = 1 + 3 * first: 298 for 99, 301 for 100.
    const page = (first: string) => `profiles(first: ${first}) { nodes { id username } }`;
    expect((await graphql(app.url!, `{ ${page('99')} }`)).errors).toBeUndefined();
    expect((await graphql(app.url!, `query($n: Int! = 99) { ${page('$n')} }`)).errors).toBeUndefined();
    expectRefused(await graphql(app.url!, `{ ${page('100')} }`), 'complexity');
    expectRefused(await graphql(app.url!, `query($n: Int!) { ${page('$n')} }`, { n: 1 }), 'complexity');
  });

  it('refuses a mutation over the complexity limit without writing anything', async () => {
    // createCustomer + customer + the selected fields: 2 + 298 = 300 is allowed, 301 is not.
    const mutation = (fields: number) => `mutation { ${createCustomer('a', 'acme').replace('{ id }', `{ ${'id '.repeat(fields)}}`)} }`;
    const before = await tableCounts();
    expectRefused(await graphql(app.url!, mutation(299)), 'complexity');
    expect(await tableCounts()).toEqual(before);
    expect((await graphql(app.url!, mutation(298))).errors).toBeUndefined();
    expect((await tableCounts()).customer).toBe(before.customer! + 1);
  });
});
