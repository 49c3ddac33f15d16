import { App } from '../../../src/app';
import { createTestCustomer, resetDatabase, startTestApp } from '../../support/app';
import { graphql } from '../../support/graphql';
import { seedProfile } from '../../support/oauth';
import { operatorToken } from '../../support/operators';

const PROFILES = `query($filter: ProfileFilter) { profiles(filter: $filter, first: 100) { nodes { id customerId } } }`;

type Page = { profiles: { nodes: Array<{ id: string; customerId: string }> } };

/** `profiles(filter: { customerId })` over HTTP: a platform-wide operator sees one customer's page; a customer's operator never another's. */
describe('profiles limited to one customer by the filter', () => {
  let app: App;
  let acme: string;
  let globex: string;
  let acmeAlice: string;
  let globexAlice: string;

  beforeAll(async () => {
    app = await startTestApp();
    await resetDatabase();
    acme = (await createTestCustomer(app, 'acme')).customer.id;
    globex = (await createTestCustomer(app, 'globex')).customer.id;
    acmeAlice = await seedProfile(app, acme, 'alice', { email: 'alice@example.org' });
    globexAlice = await seedProfile(app, globex, 'alice', { email: 'alice@example.org' });
  });
  afterAll(() => app.stop());

  const ids = (res: { data?: Page | null }) => res.data?.profiles.nodes.map((n) => n.id);

  it("gives a platform-wide operator only the named customer's profiles, searched by username there", async () => {
    const platform = await operatorToken(app, 'ADMIN', null);
    expect(ids(await graphql<Page>(app.url!, PROFILES, {}, platform))?.sort()).toEqual([acmeAlice, globexAlice].sort());
    expect(ids(await graphql<Page>(app.url!, PROFILES, { filter: { customerId: acme } }, platform))).toEqual([acmeAlice]);
    expect(ids(await graphql<Page>(app.url!, PROFILES, { filter: { customerId: globex, username: 'alice' } }, platform))).toEqual([globexAlice]);
  });

  it("gives a customer's operator nothing of another customer, even when it names that customer", async () => {
    const bound = await operatorToken(app, 'ADMIN', acme);
    expect(ids(await graphql<Page>(app.url!, PROFILES, { filter: { customerId: acme } }, bound))).toEqual([acmeAlice]);
    expect(ids(await graphql<Page>(app.url!, PROFILES, { filter: { customerId: globex } }, bound))).toEqual([]);
    expect(ids(await graphql<Page>(app.url!, PROFILES, { filter: { customerId: globex, email: 'alice@example.org' } }, bound))).toEqual([]);
  });

  it('refuses a malformed customer id with a field error', async () => {
    const res = await graphql<Page>(app.url!, PROFILES, { filter: { customerId: 'acme' } }, await operatorToken(app, 'ADMIN', null));
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'filter.customerId' } });
  });
});
