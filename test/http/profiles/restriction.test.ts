import { App } from '../../../src/app';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { FixedClock } from '../../../src/shared/clock';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { graphql } from '../../support/graphql';
import { clientToken, seedProfile } from '../../support/oauth';

const SET = `mutation($id: ID!, $r: Boolean!) { setProfileRestriction(profileId: $id, restricted: $r) { profile { id isRestricted restrictedAt username email } } }`;
const ALL_FIELDS = `id customerId username isRestricted restrictedAt nickname email fullname dob gender postcode country language timezone createdAt updatedAt lastSeenAt consentDecisions { id }`;
const READS = `query($id: ID!, $c: ID!) {
  byId: profile(id: $id) { ${ALL_FIELDS} }
  byUsername: profileByUsername(customerId: $c, username: "alice") { ${ALL_FIELDS} }
  list: profiles { nodes { ${ALL_FIELDS} } }
}`;
const UPDATE = `mutation($id: ID!) { updateProfile(id: $id, input: { nickname: "rabbit" }) { profile { nickname } } }`;
const EVENTS = `query($c: ID!) { auditEvents(filter: { customerId: $c, subject: "alice" }, first: 100) { nodes { seq action actorKind targetId fields changes { field } } } }`;

type Reads = { byId: Record<string, unknown>; byUsername: Record<string, unknown>; list: { nodes: Array<Record<string, unknown>> } };

describe('restriction of processing (GDPR art. 18) over GraphQL', () => {
  let app: App;
  let customerId: string;
  let profileId: string;
  const clock = new FixedClock(new Date('2026-12-01T10:00:00Z'));

  beforeAll(async () => {
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.set(new Date('2026-12-01T10:00:00Z'));
    await resetDatabase();
    ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
    profileId = await seedProfile(app, customerId, 'alice', { email: 'alice@example.org', fullname: 'Alice Liddell', nickname: 'al', country: 'GB' }, clock.now());
    await ownerSql(`insert into consent_decision (id, customer_id, username, realm, decision, granted_fields, is_remembered, decided_at)
      values (gen_random_uuid(), ?, 'alice', 'http://rp.example.org/', 'ALLOW', '{email}', true, now())`, [customerId]);
  });

  const restrict = (restricted: boolean, token?: string, id = profileId) => graphql<{ setProfileRestriction: { profile: Record<string, unknown> } }>(app.url!, SET, { id, r: restricted }, token);
  const reads = () => graphql<Reads>(app.url!, READS, { id: profileId, c: customerId });

  async function trail(): Promise<Array<Record<string, unknown>>> {
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const res = await graphql<{ auditEvents: { nodes: Array<Record<string, unknown>> } }>(app.url!, EVENTS, { c: customerId });
    expect(res.errors).toBeUndefined();
    // Chain order: several events share the fixed clock's instant.
    return res.data!.auditEvents.nodes.sort((a, b) => Number(a.seq) - Number(b.seq)).map(({ seq: _seq, ...event }) => event);
  }

  it('shows only the id and the flag while restricted, on every read, and everything again once lifted', async () => {
    const before = await reads();
    expect(before.errors).toBeUndefined();
    expect(before.data!.byId).toMatchObject({ username: 'alice', email: 'alice@example.org', isRestricted: false, restrictedAt: null, consentDecisions: [expect.anything()] });

    const set = await restrict(true);
    expect(set.errors).toBeUndefined();
    expect(set.data!.setProfileRestriction.profile).toEqual({ id: profileId, isRestricted: true, restrictedAt: '2026-12-01T10:00:00.000Z', username: null, email: null });

    const during = await reads();
    expect(during.errors).toBeUndefined();
    const onlyTheFlag = {
      id: profileId,
      customerId,
      isRestricted: true,
      restrictedAt: '2026-12-01T10:00:00.000Z',
      username: null,
      nickname: null,
      email: null,
      fullname: null,
      dob: null,
      gender: null,
      postcode: null,
      country: null,
      language: null,
      timezone: null,
      createdAt: null,
      updatedAt: null,
      lastSeenAt: null,
      consentDecisions: [],
    };
    expect(during.data).toEqual({ byId: onlyTheFlag, byUsername: onlyTheFlag, list: { nodes: [onlyTheFlag] } });
    // Looking a restricted person up by their address would process it: no match.
    const byEmail = await graphql<{ profiles: { nodes: unknown[] } }>(app.url!, `{ profiles(filter: { email: "alice@example.org" }) { nodes { id } } }`);
    expect(byEmail.data!.profiles.nodes).toEqual([]);
    // The values are still stored, sealed (storage is what restriction allows).
    const [row] = await ownerSql(`select username, email, restricted_at from profile`);
    expect(row).toEqual({ username: expect.stringMatching(/^ef1\./), email: expect.stringMatching(/^ef1\./), restricted_at: new Date('2026-12-01T10:00:00Z') });

    clock.advance(60_000);
    expect((await restrict(false)).data!.setProfileRestriction.profile).toEqual({ id: profileId, isRestricted: false, restrictedAt: null, username: 'alice', email: 'alice@example.org' });
    expect((await reads()).data).toEqual(before.data);
    expect((await graphql<{ profiles: { nodes: unknown[] } }>(app.url!, `{ profiles(filter: { email: "alice@example.org" }) { nodes { id } } }`)).data!.profiles.nodes).toEqual([{ id: profileId }]);
  });

  it('audits each change once, without values, and changes nothing when the state is set again', async () => {
    expect((await restrict(true)).errors).toBeUndefined();
    const afterFirst = await tableCounts();
    const [{ restricted_at: firstAt }] = await ownerSql(`select restricted_at from profile`);
    clock.advance(60_000);
    const again = await restrict(true);
    expect(again.errors).toBeUndefined();
    expect(again.data!.setProfileRestriction.profile).toMatchObject({ isRestricted: true, restrictedAt: '2026-12-01T10:00:00.000Z' });
    expect(await tableCounts()).toEqual(afterFirst);
    expect(await ownerSql(`select restricted_at from profile`)).toEqual([{ restricted_at: firstAt }]);

    expect((await restrict(false)).errors).toBeUndefined();
    expect((await restrict(false)).errors).toBeUndefined();
    const events = await trail();
    expect(events.map((e) => e.action)).toEqual(['profile.created', 'profile.restricted', 'profile.unrestricted']);
    for (const event of events.slice(1)) expect(event).toMatchObject({ actorKind: 'OPERATOR', targetId: profileId, fields: [], changes: [] });
    const payloads = JSON.stringify(await ownerSql(`select data from audit_payload p join audit_event e on e.id = p.event_id where e.action like 'profile.%restricted'`));
    expect(payloads).not.toContain('alice@example.org');
    expect(payloads).not.toContain('Liddell');
  });

  it('refuses updateProfile on a restricted profile with PROFILE_RESTRICTED and writes nothing', async () => {
    await restrict(true);
    const stored = await ownerSql(`select nickname from profile`);
    const counts = await tableCounts();
    const refused = await graphql(app.url!, UPDATE, { id: profileId });
    expect(refused.errors).toEqual([expect.objectContaining({ path: ['updateProfile'], extensions: expect.objectContaining({ code: 'PROFILE_RESTRICTED' }) })]);
    expect(await tableCounts()).toEqual(counts);
    expect(await ownerSql(`select nickname from profile`)).toEqual(stored);

    await restrict(false);
    expect((await graphql(app.url!, UPDATE, { id: profileId })).data).toEqual({ updateProfile: { profile: { nickname: 'rabbit' } } });
  });

  it("answers another customer's profile, a malformed id and an unknown id NOT_FOUND, and needs profiles:write", async () => {
    const { customer: other } = await createTestCustomer(app, 'other');
    const outsider = await clientToken(app, other.id, ['profiles:write']);
    const counts = await tableCounts();
    for (const [token, id] of [[outsider.token, profileId], [undefined, 'not-a-uuid'], [undefined, '00000000-0000-4000-8000-000000000000']] as const) {
      const res = await restrict(true, token, id);
      expect(res.errors).toEqual([expect.objectContaining({ path: ['setProfileRestriction'], extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })]);
    }
    expect(await tableCounts()).toEqual(counts);
    const reader = await clientToken(app, customerId, ['profiles:read']);
    const countsWithReader = await tableCounts();
    expect((await restrict(true, reader.token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await tableCounts()).toEqual(countsWithReader);
    expect(await ownerSql(`select restricted_at from profile`)).toEqual([{ restricted_at: null }]);

    const writer = await clientToken(app, customerId, ['profiles:write']);
    expect((await restrict(true, writer.token)).data!.setProfileRestriction.profile).toMatchObject({ id: profileId, isRestricted: true });
  });
});
