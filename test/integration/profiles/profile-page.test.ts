import { App } from '../../../src/app';
import { customerScope, platformScope } from '../../../src/db/scope';
import { ProfileType } from '../../../src/profiles/profile.type';
import type { ProfileFilter, ProfileRecord } from '../../../src/profiles';
import type { Page } from '../../../src/shared/pagination';
import { customerTenant, PLATFORM, Tenant } from '../../../src/shared/tenant';
import { createTestCustomer, ownerSql, resetDatabase, startTestApp } from '../../support/app';

/** ProfileService.list, the page read straight from the rows (profile.repository.ts), against real PostgreSQL. */
describe('a page of profiles', () => {
  let app: App;
  let acme: string;
  let globex: string;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    ({ customer: { id: acme } } = await createTestCustomer(app, 'acme'));
    ({ customer: { id: globex } } = await createTestCustomer(app, 'globex'));
  });

  /** One profile as the owner, at `createdAt` (also its updated and last-seen time unless given). */
  async function insert(customerId: string, username: string, createdAt: string, extra: { email?: string; updatedAt?: string; restrictedAt?: string } = {}): Promise<string> {
    const [row] = await ownerSql(
      `insert into profile (id, customer_id, username, email, nickname, created_at, updated_at, last_seen_at, restricted_at)
       values (gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?, ?) returning id`,
      [customerId, username, extra.email ?? null, `${username}-nick`, createdAt, extra.updatedAt ?? createdAt, createdAt, extra.restrictedAt ?? null],
    );
    return (row as { id: string }).id;
  }

  function list(tenant: Tenant, filter: ProfileFilter, first: number, after: string | null = null): Promise<Page<ProfileRecord>> {
    const scope = tenant.kind === 'customer' ? customerScope(tenant.customerId) : platformScope('test: a page of profiles');
    return app.db.run(scope, () => app.services.profiles.list(filter, first, after, tenant));
  }

  it('walks every profile once, oldest first, ties on the creation time in id order, page after page', async () => {
    for (const [i, at] of ['2026-11-01T10:00:00.000Z', '2026-11-01T10:00:00.000Z', '2026-11-01T10:00:00.000Z', '2026-11-01T10:00:01.250Z', '2026-11-01T10:00:02Z', '2026-11-01T10:00:02Z', '2026-11-01T10:00:03Z'].entries()) {
      await insert(acme, `user${i}`, at);
    }
    await insert(globex, 'elsewhere', '2026-11-01T09:00:00Z');
    const expected = (await ownerSql(`select id from profile where customer_id = ? order by created_at, id`, [acme])).map((r: { id: string }) => r.id);

    const seen: string[] = [];
    const pages: boolean[] = [];
    let after: string | null = null;
    do {
      const page: Page<ProfileRecord> = await list(customerTenant(acme), {}, 2, after);
      seen.push(...page.items.map((p) => p.id));
      pages.push(page.hasNextPage);
      after = page.hasNextPage ? page.endCursor : null;
    } while (after !== null);
    expect(seen).toEqual(expected);
    expect(pages).toEqual([true, true, true, false]);
  });

  it('holds what the profile entity holds, as the API shows it', async () => {
    const id = await insert(acme, 'alice', '2026-11-01T10:00:00.123Z', { email: 'alice@example.org', updatedAt: '2026-11-05T08:30:00.5Z' });
    const restrictedId = await insert(acme, 'bob', '2026-11-02T10:00:00Z', { restrictedAt: '2026-11-03T00:00:00Z' });
    const page = await list(customerTenant(acme), {}, 10);
    const entities = await app.db.run(customerScope(acme), async () =>
      Promise.all([id, restrictedId].map(async (profileId) => ProfileType.fromRecord((await app.services.profiles.read(profileId, customerTenant(acme)))!))),
    );
    expect(page.items.map(ProfileType.fromRecord)).toEqual(entities);
    expect(page.items[0]).toMatchObject({ customerId: acme, username: 'alice', email: 'alice@example.org', createdAt: new Date('2026-11-01T10:00:00.123Z'), updatedAt: new Date('2026-11-05T08:30:00.500Z'), restrictedAt: null });
    // Restricted: the API shows the id and the flag only.
    expect(ProfileType.fromRecord(page.items[1]!)).toMatchObject({ id: restrictedId, username: null, email: null, createdAt: null, isRestricted: true, restrictedAt: new Date('2026-11-03T00:00:00Z') });
  });

  it('filters by username, by email (never a restricted person), and by the time of the last change', async () => {
    const alice = await insert(acme, 'alice', '2026-11-01T10:00:00Z', { email: 'shared@example.org', updatedAt: '2026-11-10T00:00:00Z' });
    await insert(acme, 'bob', '2026-11-02T10:00:00Z', { email: 'shared@example.org', restrictedAt: '2026-11-03T00:00:00Z' });
    const carol = await insert(acme, 'carol', '2026-11-03T10:00:00Z', { updatedAt: '2026-11-20T00:00:00Z' });
    const ids = async (filter: ProfileFilter) => (await list(customerTenant(acme), filter, 10)).items.map((p) => p.id);
    expect(await ids({ username: 'carol' })).toEqual([carol]);
    expect(await ids({ email: 'shared@example.org' })).toEqual([alice]);
    expect(await ids({ updatedSince: new Date('2026-11-10T00:00:00Z') })).toEqual([alice, carol]);
    expect(await ids({ updatedSince: new Date('2026-11-10T00:00:00.001Z') })).toEqual([carol]);
    expect(await ids({ username: 'alice', email: 'shared@example.org', updatedSince: new Date('2026-11-01T00:00:00Z') })).toEqual([alice]);
  });

  it("shows a customer's caller only its own profiles, a user-bound one only its user, and the platform every customer's", async () => {
    const alice = await insert(acme, 'alice', '2026-11-01T10:00:00Z');
    const bob = await insert(acme, 'bob', '2026-11-02T10:00:00Z');
    const other = await insert(globex, 'alice', '2026-11-03T10:00:00Z');
    const ids = async (tenant: Tenant, filter: ProfileFilter = {}) => (await list(tenant, filter, 10)).items.map((p) => p.id);
    expect(await ids(customerTenant(acme))).toEqual([alice, bob]);
    expect(await ids(customerTenant(acme, 'bob'))).toEqual([bob]);
    expect(await ids(customerTenant(acme, 'bob'), { username: 'alice' })).toEqual([]);
    expect(await ids(PLATFORM)).toEqual([alice, bob, other]);
    expect(await ids(PLATFORM, { username: 'alice' })).toEqual([alice, other]);
  });

  it("limits a page to the customer the filter names: the platform sees that customer's only, a customer's caller nothing of another's", async () => {
    const alice = await insert(acme, 'alice', '2026-11-01T10:00:00Z', { email: 'alice@example.org' });
    const bob = await insert(acme, 'bob', '2026-11-02T10:00:00Z');
    const other = await insert(globex, 'alice', '2026-11-03T10:00:00Z', { email: 'alice@example.org' });
    const ids = async (tenant: Tenant, filter: ProfileFilter = {}) => (await list(tenant, filter, 10)).items.map((p) => p.id);
    expect(await ids(PLATFORM, { customerId: acme })).toEqual([alice, bob]);
    expect(await ids(PLATFORM, { customerId: globex.toUpperCase() })).toEqual([other]);
    expect(await ids(PLATFORM, { customerId: acme, username: 'alice' })).toEqual([alice]);
    expect(await ids(PLATFORM, { customerId: globex, email: 'alice@example.org' })).toEqual([other]);
    expect(await ids(PLATFORM, { customerId: '00000000-0000-4000-8000-000000000000' })).toEqual([]);
    expect(await ids(customerTenant(acme), { customerId: acme })).toEqual([alice, bob]);
    expect(await ids(customerTenant(acme), { customerId: globex })).toEqual([]);
    expect(await ids(customerTenant(acme), { customerId: globex, username: 'alice' })).toEqual([]);
  });

  it('refuses a malformed customer id in the filter', async () => {
    await insert(acme, 'alice', '2026-11-01T10:00:00Z');
    await expect(list(PLATFORM, { customerId: 'acme' }, 10)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(list(customerTenant(acme), { customerId: `${acme}' or 1=1` }, 10)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('refuses a cursor it did not hand out and a page size outside 1-100', async () => {
    await expect(list(customerTenant(acme), {}, 10, 'not-a-cursor')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(list(customerTenant(acme), {}, 101)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
