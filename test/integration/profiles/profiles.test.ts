import { App } from '../../../src/app';
import { FixedClock } from '../../../src/shared/clock';
import { createTestCustomer, resetDatabase, startTestApp, tableCounts } from '../../support/app';
import { graphql } from '../../support/graphql';
import { clientToken, seedProfile } from '../../support/oauth';

const PROFILES = `query($filter: ProfileFilter) { profiles(filter: $filter, first: 10) { nodes { id username email fullname } pageInfo { hasNextPage } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateProfileInput!) {
  updateProfile(id: $id, input: $input) { profile { id email fullname nickname country dob updatedAt } }
}`;

describe('profiles over GraphQL with scoped client tokens', () => {
  let app: App;
  let customerId: string;
  let profileId: string;
  const clock = new FixedClock(new Date('2026-11-23T10:00:00Z'));

  beforeAll(async () => {
    app = await startTestApp({}, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.set(new Date('2026-11-23T10:00:00Z'));
    await resetDatabase();
    ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
    profileId = await seedProfile(app, customerId, 'alice', { email: 'alice@example.org', fullname: 'Alice Liddell', nickname: 'al', country: 'GB' }, clock.now());
  });

  it('gives a field without its scope FORBIDDEN at its path while the rest of the response resolves', async () => {
    const { token } = await clientToken(app, customerId, ['profiles:read', 'profile.email']);
    const res = await graphql<{ profiles: { nodes: Array<Record<string, unknown>> } }>(app.url!, PROFILES, {}, token);
    expect(res.status).toBe(200);
    expect(res.data!.profiles.nodes).toEqual([{ id: profileId, username: 'alice', email: 'alice@example.org', fullname: null }]);
    expect(res.errors).toEqual([expect.objectContaining({ path: ['profiles', 'nodes', 0, 'fullname'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
  });

  it('refuses an operation without its coarse scope, and filtering by email without profile.email', async () => {
    const { token } = await clientToken(app, customerId, ['profiles:read']);
    const customers = await graphql(app.url!, `{ customers(first: 5) { nodes { id } } }`, {}, token);
    expect(customers.errors).toEqual([expect.objectContaining({ path: ['customers'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
    const byEmail = await graphql(app.url!, PROFILES, { filter: { email: 'alice@example.org' } }, token);
    expect(byEmail.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const write = await graphql(app.url!, UPDATE, { id: profileId, input: { nickname: 'x' } }, token);
    expect(write.errors?.[0]).toMatchObject({ path: ['updateProfile'], extensions: { code: 'FORBIDDEN' } });
  });

  it('refuses expired, revoked and unknown tokens with UNAUTHENTICATED', async () => {
    const expiring = await clientToken(app, customerId, ['profiles:read']);
    const revoked = await clientToken(app, customerId, ['profiles:read']);
    await fetch(`${app.url}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: revoked.token, client_id: revoked.clientId, client_secret: revoked.clientSecret }).toString(),
    });
    const ids = `{ profiles(first: 10) { nodes { id username } } }`;
    const live = await graphql(app.url!, ids, {}, expiring.token);
    expect(live.errors).toBeUndefined();
    clock.set(new Date(clock.now().getTime() + 3600 * 1000));
    for (const token of [expiring.token, revoked.token, 'not-a-token']) {
      const res = await graphql(app.url!, ids, {}, token);
      expect(res.status).toBe(401);
      expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('lets the operator read every field, by id and by username', async () => {
    const one = await graphql<{ profile: Record<string, unknown> }>(app.url!, `query($id: ID!) { profile(id: $id) { username email fullname country } }`, { id: profileId });
    expect(one.data!.profile).toEqual({ username: 'alice', email: 'alice@example.org', fullname: 'Alice Liddell', country: 'GB' });
    const byName = await graphql<{ profileByUsername: { id: string } }>(
      app.url!,
      `query($c: ID!, $u: String!) { profileByUsername(customerId: $c, username: $u) { id } }`,
      { c: customerId, u: 'alice' },
    );
    expect(byName.data!.profileByUsername.id).toBe(profileId);
    const since = await graphql<{ profiles: { nodes: unknown[] } }>(app.url!, PROFILES, { filter: { updatedSince: '2026-11-24T00:00:00Z' } });
    expect(since.data!.profiles.nodes).toEqual([]);
  });

  it('updateProfile changes only the fields given, normalised, and needs each field\'s scope', async () => {
    const { token } = await clientToken(app, customerId, ['profiles:write', 'profile.email', 'profile.country', 'profile.fullname', 'profile.nickname', 'profile.dob']);
    clock.set(new Date('2026-11-23T10:30:00Z'));
    const res = await graphql<{ updateProfile: { profile: Record<string, unknown> } }>(app.url!, UPDATE, { id: profileId, input: { email: 'alice@wonderland.example', country: 'fr' } }, token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateProfile.profile).toEqual({
      id: profileId, email: 'alice@wonderland.example', fullname: 'Alice Liddell', nickname: 'al', country: 'FR', dob: null, updatedAt: '2026-11-23T10:30:00.000Z',
    });
    const cleared = await graphql<{ updateProfile: { profile: Record<string, unknown> } }>(app.url!, UPDATE, { id: profileId, input: { nickname: null } }, token);
    expect(cleared.data!.updateProfile.profile).toMatchObject({ nickname: null, email: 'alice@wonderland.example' });

    const { token: noGender } = await clientToken(app, customerId, ['profiles:write']);
    const forbidden = await graphql(app.url!, UPDATE, { id: profileId, input: { gender: 'F' } }, noGender);
    expect(forbidden.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', missingScopes: ['profile.gender'] });
  });

  it('refuses an invalid value with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const before = await tableCounts();
    const snapshot = await graphql(app.url!, `query($id: ID!) { profile(id: $id) { email fullname dob updatedAt } }`, { id: profileId });
    for (const input of [{ fullname: 'Alice L.', dob: '1980-13-01' }, { email: 'not an email' }, { fullname: 'two\nlines' }]) {
      const res = await graphql(app.url!, UPDATE, { id: profileId, input });
      expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: Object.keys(input).at(-1) });
    }
    expect(await tableCounts()).toEqual(before);
    expect(await graphql(app.url!, `query($id: ID!) { profile(id: $id) { email fullname dob updatedAt } }`, { id: profileId })).toEqual(snapshot);
  });
});
