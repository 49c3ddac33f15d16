import { App } from '../../../src/app';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { startPublicTestApp } from '../../support/app';
import { fullLogin } from '../../support/full-login';
import { graphql } from '../../support/graphql';
import { operatorToken } from '../../support/operators';
import { asOwnerOf, everyRow, regionDatabases, RegionDatabase } from '../../support/regions';

const REGIONS = ['EU', 'NA', 'APAC'] as const;
const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { apiKey customer { id slug region } } }`;
const LIST = `{ customers(first: 50) { nodes { id slug region } } }`;
/** The directory names customers by design (id, slug, region: nothing about people); it is not a region's data. */
const isDirectory = (r: { table: string }) => r.table.startsWith('directory.');

interface Shop {
  region: string;
  id: string;
  slug: string;
  apiKey: string;
  username: string;
}

/**
 * Issue 18: one deployment serving three regions (three databases). A customer is created in the
 * region it names; its sign-ins, profiles, consents, audit events and tokens are stored in that
 * region's database and in no other, as a scan of every table of every database shows.
 */
describe('data residency across three regions', () => {
  let app: App;
  let databases: RegionDatabase[];
  let drop: () => Promise<void>;
  const shops: Shop[] = [];

  beforeAll(async () => {
    let env: Record<string, string>;
    ({ databases, env, drop } = await regionDatabases(REGIONS));
    app = await startPublicTestApp({ ...env, ROLE: 'all' });
    for (const region of REGIONS) {
      const slug = `shop-${region.toLowerCase()}`;
      const res = await graphql<{ createCustomer: { apiKey: string; customer: { id: string; slug: string; region: string } } }>(app.url!, CREATE, {
        input: { slug, name: `Shop ${region}`, verifyUrl: 'http://127.0.0.1:9/verify', region },
      });
      expect(res.errors).toBeUndefined();
      const { apiKey, customer } = res.data!.createCustomer;
      expect(customer.region).toBe(region);
      shops.push({ region, id: customer.id, slug, apiKey, username: `person-of-${region.toLowerCase()}-4e7` });
    }
    for (const shop of shops) expect(await fullLogin(app.url!, shop.slug, shop.apiKey, shop.username)).toBe(true);
    // Every region's outbox drained into its own audit trail.
    for (const cell of app.regions) await drainAuditOutbox(cell.db, cell.services.audit, 500);
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await drop?.();
  });

  it('keeps every customer\'s rows in its own region\'s database and in no other', async () => {
    for (const db of databases) {
      const rows = (await everyRow(db.owner)).filter((r) => !isDirectory(r));
      for (const shop of shops) {
        const traces = rows.filter((r) => r.row.includes(shop.id));
        if (shop.region === db.region) {
          // The sign-in left its trail here: the request, the profile, the consent, the audit events, the keys.
          const tables = new Set(traces.map((t) => t.table));
          for (const table of ['public.customer', 'public.auth_request', 'public.profile', 'public.consent_decision', 'public.audit_event', 'public.audit_payload', 'keyring.person_key', 'keyring.customer_key']) {
            expect([db.region, table, tables.has(table)]).toEqual([db.region, table, true]);
          }
        } else {
          expect({ database: db.region, customer: shop.region, traces }).toEqual({ database: db.region, customer: shop.region, traces: [] });
        }
      }
    }
  });

  it('keeps the directory in the home region\'s database, with ids, slugs and regions only', async () => {
    const [home, ...others] = databases;
    const entries = (await everyRow(home!.owner)).filter((r) => r.table === 'directory.customer');
    for (const shop of shops) expect(entries.filter((e) => e.row.includes(shop.id)).map((e) => e.row)).toEqual([expect.stringMatching(new RegExp(`^\\(${shop.id},${shop.slug},${shop.region},ACTIVE,`))]);
    // Its columns: nothing that could hold anything about a person.
    const columns = await asOwnerOf(home!.owner, `select column_name from information_schema.columns where table_schema = 'directory' and table_name = 'customer' order by ordinal_position`);
    expect(columns.map((c) => c.column_name)).toEqual(['customer_id', 'slug', 'region', 'status', 'updated_at']);
    for (const db of others) expect((await everyRow(db.owner)).filter((r) => r.table === 'directory.customer')).toEqual([]);
  });

  it('lists every region\'s customers to the platform, each with its region', async () => {
    const res = await graphql<{ customers: { nodes: Array<{ id: string; region: string }> } }>(app.url!, LIST);
    expect(res.errors).toBeUndefined();
    // (Other files' customers of this worker's database are in EU too.)
    const ours = res.data!.customers.nodes.filter((n) => shops.some((s) => s.id === n.id));
    expect(ours.map((n) => [n.id, n.region]).sort()).toEqual(shops.map((s) => [s.id, s.region]).sort());
  });

  it('verifies the platform audit chain of every region', async () => {
    const res = await graphql<{ verifyAuditChain: { ok: boolean; regions: Array<{ region: string; ok: boolean }> } }>(app.url!, `{ verifyAuditChain { ok regions { region ok } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.verifyAuditChain.ok).toBe(true);
    expect(res.data!.verifyAuditChain.regions.map((r) => r.region)).toEqual([...REGIONS]);
  });

  it('runs a platform operation naming a customer in that customer\'s region', async () => {
    for (const shop of shops) {
      const res = await graphql<{ customer: { region: string }; verifyAuditChain: { ok: boolean; eventsChecked: number } }>(
        app.url!,
        `query($id: ID!) { customer(id: $id) { region } verifyAuditChain(customerId: $id) { ok eventsChecked } }`,
        { id: shop.id },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data!.customer.region).toBe(shop.region);
      expect(res.data!.verifyAuditChain.ok).toBe(true);
      expect(res.data!.verifyAuditChain.eventsChecked).toBeGreaterThan(0);
    }
  });

  it('refuses one platform operation naming customers of two regions', async () => {
    const res = await graphql(app.url!, `query($a: ID!, $b: ID!) { a: customer(id: $a) { id } b: customer(id: $b) { id } }`, { a: shops[0]!.id, b: shops[1]!.id });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('CROSS_REGION_OPERATION');
  });

  it('keeps a customer-bound token in its own region: it sees its customer and nothing of the others', async () => {
    const na = shops.find((s) => s.region === 'NA')!;
    const token = await operatorToken(app, 'ADMIN', na.id);
    const list = await graphql<{ customers: { nodes: Array<{ id: string }> } }>(app.url!, LIST, {}, token);
    expect(list.data!.customers.nodes.map((n) => n.id)).toEqual([na.id]);
    for (const other of shops.filter((s) => s !== na)) {
      const res = await graphql<{ customer: unknown }>(app.url!, `query($id: ID!) { customer(id: $id) { id } }`, { id: other.id }, token);
      expect(res.data?.customer ?? null).toBeNull();
    }
    // The token lives in NA's database only.
    const rows = await everyRow(databases.find((d) => d.region === 'NA')!.owner);
    expect(rows.filter((r) => r.table === 'public.operator_token' && r.row.includes(na.id))).toHaveLength(1);
  });

  it('answers an OAuth client of another region at the one token endpoint', async () => {
    const apac = shops.find((s) => s.region === 'APAC')!;
    const created = await graphql<{ createOAuthClient: { clientId: string; clientSecret: string } }>(
      app.url!,
      `mutation($c: ID!) { createOAuthClient(input: { customerId: $c, name: "APAC partner", scopes: ["profiles:read"] }) { clientId clientSecret } }`,
      { c: apac.id },
    );
    expect(created.errors).toBeUndefined();
    const { clientId, clientSecret } = created.data!.createOAuthClient;
    const res = await fetch(`${app.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
    });
    expect(res.status).toBe(200);
    const { access_token: token } = (await res.json()) as { access_token: string };
    // The token reads APAC's database: its one profile, the person signed in there.
    const seen = await graphql<{ profiles: { nodes: Array<{ id: string }> } }>(app.url!, `{ profiles(first: 10) { nodes { id } } }`, {}, token);
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.profiles.nodes).toHaveLength(1);
  });

  it('refuses to change a customer\'s region, and changes nothing', async () => {
    const eu = shops.find((s) => s.region === 'EU')!;
    const res = await graphql(app.url!, `mutation($id: ID!) { updateCustomer(id: $id, input: { region: NA, name: "Renamed" }) { customer { name region } } }`, { id: eu.id });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'REGION_CHANGE_REFUSED', field: 'region' });
    const after = await graphql<{ customer: { name: string; region: string } }>(app.url!, `query($id: ID!) { customer(id: $id) { name region } }`, { id: eu.id });
    expect(after.data!.customer).toEqual({ name: 'Shop EU', region: 'EU' });
  });

  it('refuses a slug another region\'s customer holds', async () => {
    const res = await graphql(app.url!, CREATE, { input: { slug: 'shop-na', name: 'Copycat', verifyUrl: 'http://127.0.0.1:9/verify', region: 'APAC' } });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'slug' });
  });
});
