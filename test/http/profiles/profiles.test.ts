import { App } from '../../../src/app';
import { FixedClock } from '../../../src/shared/clock';
import { CustomersDocument, ProfileByUsernameDocument, ProfileContactsDocument, ProfileDocument, UpdateProfileDocument } from '../../../clients/typescript/src';
import { createTestCustomer, ownerSql, resetDatabase, startTestApp, tableCounts } from '../../support/app';
import { clientToken, seedProfile } from '../../support/oauth';
import { sdk } from '../../support/sdk';

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
    const res = await sdk(app, token).execute(ProfileContactsDocument, { first: 10 });
    expect(res.status).toBe(200);
    expect(res.data!.profiles.nodes).toEqual([{ id: profileId, username: 'alice', email: 'alice@example.org', fullname: null }]);
    expect(res.errors).toEqual([expect.objectContaining({ code: 'FORBIDDEN', path: ['profiles', 'nodes', 0, 'fullname'], missingScopes: ['profile.fullname'] })]);
  });

  it('refuses an operation without its coarse scope, and filtering by email without profile.email', async () => {
    const { token } = await clientToken(app, customerId, ['profiles:read']);
    const client = sdk(app, token);
    const customers = await client.execute(CustomersDocument, { first: 5 });
    expect(customers.errors).toEqual([expect.objectContaining({ path: ['customers'], code: 'FORBIDDEN' })]);
    const byEmail = await client.execute(ProfileContactsDocument, { first: 10, filter: { email: 'alice@example.org' } });
    expect(byEmail.errors[0]?.code).toBe('FORBIDDEN');
    const write = await client.execute(UpdateProfileDocument, { id: profileId, input: { nickname: 'x' } });
    expect(write.errors[0]).toMatchObject({ path: ['updateProfile'], code: 'FORBIDDEN' });
    expect(write.data).toBeNull();
  });

  it('refuses expired, revoked and unknown tokens with UNAUTHENTICATED', async () => {
    const scopes = ['profiles:read', 'profile.email', 'profile.fullname'];
    const expiring = await clientToken(app, customerId, scopes);
    const revoked = await clientToken(app, customerId, scopes);
    await fetch(`${app.url}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: revoked.token, client_id: revoked.clientId, client_secret: revoked.clientSecret }).toString(),
    });
    const live = await sdk(app, expiring.token).execute(ProfileContactsDocument, { first: 10 });
    expect(live.errors).toEqual([]);
    clock.set(new Date(clock.now().getTime() + 3600 * 1000));
    for (const token of [expiring.token, revoked.token, 'not-a-token']) {
      const res = await sdk(app, token).execute(ProfileContactsDocument, { first: 10 });
      expect(res.status).toBe(401);
      expect(res.errors[0]?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('lets the operator read every field, by id and by username', async () => {
    const client = sdk(app);
    const one = await client.request(ProfileDocument, { id: profileId });
    expect(one.profile).toMatchObject({ username: 'alice', email: 'alice@example.org', fullname: 'Alice Liddell', country: 'GB', nickname: 'al', dob: null });
    const byName = await client.request(ProfileByUsernameDocument, { customerId, username: 'alice' });
    expect(byName.profileByUsername!.id).toBe(profileId);
    const since = await client.request(ProfileContactsDocument, { first: 10, filter: { updatedSince: '2026-11-24T00:00:00Z' } });
    expect(since.profiles.nodes).toEqual([]);
  });

  it('updateProfile changes only the fields given, normalised, and needs each field\'s scope', async () => {
    const { token } = await clientToken(app, customerId, ['profiles:write', 'profile.email', 'profile.country', 'profile.fullname', 'profile.nickname', 'profile.dob']);
    const client = sdk(app, token);
    clock.set(new Date('2026-11-23T10:30:00Z'));
    const res = await client.execute(UpdateProfileDocument, { id: profileId, input: { email: 'alice@wonderland.example', country: 'fr' } });
    expect(res.data!.updateProfile.profile).toMatchObject({
      id: profileId, email: 'alice@wonderland.example', fullname: 'Alice Liddell', nickname: 'al', country: 'FR', dob: null, updatedAt: '2026-11-23T10:30:00.000Z',
    });
    // The change went through; the payload's fields outside the token's scopes read as FORBIDDEN beside it.
    expect(res.errors.map((e) => [e.code, e.path.join('.')])).toEqual(
      ['gender', 'postcode', 'language', 'timezone'].map((f) => ['FORBIDDEN', `updateProfile.profile.${f}`]),
    );
    const cleared = await client.execute(UpdateProfileDocument, { id: profileId, input: { nickname: null } });
    expect(cleared.data!.updateProfile.profile).toMatchObject({ nickname: null, email: 'alice@wonderland.example' });
    // Sealed at rest (issue 17): the row holds ciphertexts only, and GraphQL reads the new values opened.
    const [row] = await ownerSql('select email, country, nickname from profile where id = ?', [profileId]);
    expect(row).toEqual({ email: expect.stringMatching(/^ef1\./), country: expect.stringMatching(/^ef1\./), nickname: null });
    expect(JSON.stringify(await ownerSql('select * from profile'))).not.toContain('wonderland');
    expect((await sdk(app).request(ProfileDocument, { id: profileId })).profile).toMatchObject({ email: 'alice@wonderland.example', country: 'FR' });
    const byEmail = await sdk(app).request(ProfileContactsDocument, { first: 10, filter: { email: 'alice@wonderland.example' } });
    expect(byEmail.profiles.nodes.map((n) => n.id)).toEqual([profileId]);

    const noGender = await sdk(app, (await clientToken(app, customerId, ['profiles:write'])).token).execute(UpdateProfileDocument, { id: profileId, input: { gender: 'F' } });
    expect(noGender.errors[0]).toMatchObject({ code: 'FORBIDDEN', path: ['updateProfile'], missingScopes: ['profile.gender'] });
  });

  it('refuses an invalid value with BAD_USER_INPUT naming the field, and writes nothing', async () => {
    const client = sdk(app);
    const before = await tableCounts();
    const snapshot = await client.request(ProfileDocument, { id: profileId });
    for (const input of [{ fullname: 'Alice L.', dob: '1980-13-01' }, { email: 'not an email' }, { fullname: 'two\nlines' }]) {
      const res = await client.execute(UpdateProfileDocument, { id: profileId, input });
      expect(res.errors[0]).toMatchObject({ code: 'BAD_USER_INPUT', field: Object.keys(input).at(-1), extensions: { code: 'BAD_USER_INPUT', field: Object.keys(input).at(-1) } });
    }
    expect(await tableCounts()).toEqual(before);
    expect(await client.request(ProfileDocument, { id: profileId })).toEqual(snapshot);
  });
});
