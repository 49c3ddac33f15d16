import { App } from '../../../src/app';
import { customerScope, platformScope } from '../../../src/db/scope';
import { sealText, usernameAad } from '../../../src/keys';
import type { ProfileFilter } from '../../../src/profiles';
import { customerTenant, PLATFORM, Tenant } from '../../../src/shared/tenant';
import { createTestCustomer, inContext, ownerSql, resetDatabase, startTestApp } from '../../support/app';
import { seedProfile } from '../../support/oauth';

/**
 * Issue 17 for the readers and writers outside the login: profiles and consent decisions hold
 * ciphertexts, are found by keyed hashes (exact matches only, per customer) and read opened.
 */
describe('sealed profiles and consent decisions', () => {
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

  const run = <T>(tenant: Tenant, fn: () => Promise<T>) =>
    app.db.run(tenant.kind === 'customer' ? customerScope(tenant.customerId) : platformScope('test: sealed profiles'), fn);
  const ids = async (tenant: Tenant, filter: ProfileFilter) => (await run(tenant, () => app.services.profiles.list(filter, 10, null, tenant))).items.map((p) => p.id);
  const personOf = (customerId: string, username: string) => app.services.keys.person(customerId, username, app.services.audit.subjectHash(customerId, username));

  it('stores no clear value, and lists and finds profiles opened, by exact username and email only', async () => {
    const alice = await seedProfile(app, acme, 'alice', { email: 'alice@example.org', fullname: 'Alice Liddell' });
    const bob = await seedProfile(app, acme, 'bob', { email: 'bob@example.org' });
    const dump = JSON.stringify(await ownerSql('select * from profile'));
    for (const clear of ['alice', 'bob@example.org', 'Liddell']) expect(dump).not.toContain(clear);

    const page = await run(customerTenant(acme), () => app.services.profiles.list({}, 10, null, customerTenant(acme)));
    expect(page.items.map((p) => [p.id, p.username, p.email, p.fullname])).toEqual([
      [alice, 'alice', 'alice@example.org', 'Alice Liddell'],
      [bob, 'bob', 'bob@example.org', null],
    ]);
    expect(await ids(customerTenant(acme), { username: 'alice' })).toEqual([alice]);
    expect(await ids(customerTenant(acme), { email: 'bob@example.org' })).toEqual([bob]);
    // Exact only: a prefix, a substring or another case matches nothing.
    for (const filter of [{ username: 'ali' }, { username: 'Alice' }, { email: 'bob@' }, { email: 'example.org' }]) expect(await ids(customerTenant(acme), filter)).toEqual([]);
    expect(await run(customerTenant(acme), () => app.services.profiles.getByUsername(acme, 'bob', customerTenant(acme)))).toMatchObject({ id: bob, username: 'bob' });
    expect(await run(customerTenant(acme), () => app.services.profiles.getByUsername(acme, 'bo', customerTenant(acme)))).toBeNull();
    // A user-bound caller (a token from a login code) sees its user, found by hash too.
    expect(await ids(customerTenant(acme, 'bob'), {})).toEqual([bob]);
    expect(await run(customerTenant(acme, 'bob'), () => app.services.profiles.read(alice, customerTenant(acme, 'bob')))).toBeNull();
  });

  it("hashes a username differently per customer, so one customer's hash never finds another's person", async () => {
    const acmeAlice = await seedProfile(app, acme, 'alice', { email: 'alice@example.org' });
    const globexAlice = await seedProfile(app, globex, 'alice', { email: 'alice@example.org' });
    const hashes = await ownerSql('select customer_id, username_hash, email_hash from profile order by customer_id');
    expect(new Set(hashes.map((h) => h.username_hash)).size).toBe(2);
    expect(new Set(hashes.map((h) => h.email_hash)).size).toBe(2);
    const acmeHash = hashes.find((h) => h.customer_id === acme)!.username_hash;
    expect(await ownerSql('select id from profile where customer_id = ? and username_hash = ?', [globex, acmeHash])).toEqual([]);
    expect(await ids(customerTenant(acme), { username: 'alice' })).toEqual([acmeAlice]);
    expect(await ids(customerTenant(globex), { email: 'alice@example.org' })).toEqual([globexAlice]);
    // The platform searches every customer, each under its own hash.
    expect(new Set(await ids(PLATFORM, { username: 'alice' }))).toEqual(new Set([acmeAlice, globexAlice]));
  });

  it('seals a rectification at rest, with its digest and email hash, and reads it back opened', async () => {
    const alice = await seedProfile(app, acme, 'alice', { email: 'alice@example.org', nickname: 'al' });
    const [before] = await ownerSql('select email_hash, attribute_digests from profile');
    const updated = await run(customerTenant(acme), () => app.services.profiles.update(alice, { email: 'liddell@example.org', nickname: null }, customerTenant(acme)));
    expect(updated).toMatchObject({ id: alice, username: 'alice', email: 'liddell@example.org', nickname: null });
    const [row] = await ownerSql('select email, nickname, email_hash, attribute_digests from profile');
    expect(row.email).toMatch(/^ef1\./);
    expect(JSON.stringify(row)).not.toContain('liddell');
    expect(row.nickname).toBeNull();
    expect(row.email_hash).not.toEqual(before.email_hash);
    expect(row.attribute_digests.email).not.toEqual(before.attribute_digests.email);
    expect(row.attribute_digests).not.toHaveProperty('nickname');
    expect(await ids(customerTenant(acme), { email: 'liddell@example.org' })).toEqual([alice]);
    expect(await ids(customerTenant(acme), { email: 'alice@example.org' })).toEqual([]);
    expect(await run(customerTenant(acme), () => app.services.profiles.read(alice, customerTenant(acme)))).toMatchObject({ email: 'liddell@example.org', nickname: null });
    // The same value again changes nothing (told by the opened value, not the ciphertext).
    await run(customerTenant(acme), () => app.services.profiles.update(alice, { email: 'liddell@example.org' }, customerTenant(acme)));
    expect((await ownerSql('select email from profile'))[0].email).toBe(row.email);
  });

  it('shows no value of a person whose key is gone', async () => {
    const alice = await seedProfile(app, acme, 'alice', { email: 'alice@example.org' });
    const person = await personOf(acme, 'alice');
    await ownerSql('select keyring.ids_shred_person(?, ?)', [acme, alice]);
    app.services.keys.forgetPerson(person.id);
    const [shown] = (await run(customerTenant(acme), () => app.services.profiles.list({}, 10, null, customerTenant(acme)))).items;
    expect(shown).toMatchObject({ id: alice, username: null, email: null });
    expect(await run(customerTenant(acme), () => app.services.profiles.read(alice, customerTenant(acme)))).toMatchObject({ username: null, email: null });
  });

  it('records a person again under a fresh key when the key this process remembered was erased meanwhile', async () => {
    const first = await seedProfile(app, acme, 'alice', { email: 'alice@example.org' });
    // Erased elsewhere (key and profile in one transaction); this process still caches the old key.
    await ownerSql('select keyring.ids_shred_person(?, ?)', [acme, first]);
    await ownerSql('delete from profile where id = ?', [first]);
    await seedProfile(app, acme, 'alice', { email: 'alice@example.org' });
    const [again] = (await run(customerTenant(acme), () => app.services.profiles.list({ username: 'alice' }, 10, null, customerTenant(acme)))).items;
    expect(again).toMatchObject({ username: 'alice', email: 'alice@example.org' });
    expect(again!.id).not.toBe(first);
  });

  it('tells restricted people apart by hash, and lists and revokes consent decisions with their usernames opened', async () => {
    const alice = await seedProfile(app, acme, 'alice', {});
    await seedProfile(app, acme, 'bob', {});
    await run(customerTenant(acme), () => app.services.profiles.setRestriction(alice, true, customerTenant(acme)));
    const restricted = await inContext(app, () => app.services.profiles.restrictedAmong([{ customerId: acme, username: 'alice' }, { customerId: acme, username: 'bob' }, { customerId: globex, username: 'alice' }]));
    expect([...restricted]).toEqual([`${acme}\u0000alice`]);

    // A decision as the consent step stores it: the username sealed under the person's key, its hash beside it.
    const bob = await personOf(acme, 'bob');
    const bobHash = app.services.keys.lookupHash(await app.services.keys.customer(acme), 'username', 'bob');
    const [{ id }] = await ownerSql(
      `insert into consent_decision (id, customer_id, username, username_hash, person_key_id, realm, decision, granted_fields, is_remembered, decided_at)
       values (gen_random_uuid(), ?, ?, ?, ?, 'https://rp.example/', 'ALLOW', '{email}', true, now()) returning id`,
      [acme, sealText(bob.key, usernameAad(bob.id), 'bob'), bobHash, bob.id],
    );
    const tenant = customerTenant(acme);
    const listed = await run(tenant, () => app.services.consent.list({ username: 'bob' }, 10, null, tenant));
    expect(listed.items.map((d) => [d.id, d.username])).toEqual([[id, 'bob']]);
    expect((await run(tenant, () => app.services.consent.list({ username: 'bo' }, 10, null, tenant))).items).toEqual([]);
    expect(await run(tenant, () => app.services.consent.listForSubjects([{ customerId: acme, username: 'bob' }], tenant))).toEqual([[expect.objectContaining({ id, username: 'bob' })]]);
    expect(await run(tenant, () => app.services.consent.revoke(id, tenant))).toMatchObject({ id, username: 'bob', revokedAt: expect.any(Date) });
  });

  it("pages one person's consent decisions by hash, the cursor kept beside the match", async () => {
    const decide = async (username: string, decidedAt: string) => {
      const person = await personOf(acme, username);
      const hash = app.services.keys.lookupHash(await app.services.keys.customer(acme), 'username', username);
      const [{ id }] = await ownerSql(
        `insert into consent_decision (id, customer_id, username, username_hash, person_key_id, realm, decision, granted_fields, is_remembered, decided_at)
         values (gen_random_uuid(), ?, ?, ?, ?, 'https://rp.example/', 'ALLOW', '{}', true, ?) returning id`,
        [acme, sealText(person.key, usernameAad(person.id), username), hash, person.id, decidedAt],
      );
      return id as string;
    };
    const older = await decide('bob', '2026-11-01T10:00:00Z');
    await decide('alice', '2026-11-02T10:00:00Z');
    const newer = await decide('bob', '2026-11-03T10:00:00Z');
    await decide('alice', '2026-11-04T10:00:00Z');
    const tenant = customerTenant(acme);
    const first = await run(tenant, () => app.services.consent.list({ username: 'bob' }, 1, null, tenant));
    expect(first.items.map((d) => d.id)).toEqual([newer]);
    const second = await run(tenant, () => app.services.consent.list({ username: 'bob' }, 1, first.endCursor, tenant));
    expect(second.items.map((d) => [d.id, d.username])).toEqual([[older, 'bob']]);
  });
});
