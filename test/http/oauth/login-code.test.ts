import { App } from '../../../src/app';
import { FixedClock } from '../../../src/shared/clock';
import { createTestCustomer, inContext, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { consentForm, postback, startLogin } from '../../support/flow';
import { graphql } from '../../support/graphql';
import { seedProfile } from '../../support/oauth';
import { npmOpenid } from '../../support/rp';

const SREG = () => [new npmOpenid.SimpleRegistration({ email: 'required', nickname: 'optional', fullname: 'optional' })];

type Client = { clientId: string; clientSecret: string };

describe('the login code: delivered in the assertion, exchanged once for a token limited to one user', () => {
  let app: App;
  let apiKey: string;
  let customerId: string;
  const clock = new FixedClock(new Date());

  beforeAll(async () => {
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.set(new Date());
    await resetDatabase();
    ({ apiKey, customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
  });

  const createClient = async (forCustomer = customerId): Promise<Client> => {
    const { client, clientSecret } = await inContext(app, () => app.services.oauthClients.createClient({ customerId: forCustomer, name: 'RP backend', scopes: ['consents:read'] }));
    return { clientId: client.clientId, clientSecret };
  };

  /** A whole sign-in of alice where the user ticks only email on the consent page; the RP's answer URL. */
  async function signInAlice(): Promise<URL> {
    const { rp, browser, requestId } = await startLogin(app, 'acme', { extensions: SREG() });
    const pb = await postback(app, 'acme', {
      request_id: requestId,
      api_key: apiKey,
      username: 'alice',
      no_prompt: 'false',
      sreg_email: 'alice@example.com',
      sreg_nickname: 'alice',
      sreg_fullname: 'Alice Liddell',
    });
    expect(pb.status).toBe(200);
    const form = consentForm((await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`)).body);
    const answer = await browser.postForm(`${app.url}/c/acme/ows_consent`, [
      ['auth_request', form.authRequest],
      ['csrf', form.csrf],
      ['share', 'email'],
      ['decision', 'allow'],
    ]);
    expect(answer.status).toBe(302);
    expect(await rp.verify(answer.location!)).toMatchObject({ authenticated: true, email: 'alice@example.com' });
    return new URL(answer.location!);
  }

  async function exchange(client: Client, code: string) {
    const res = await fetch(`${app.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: client.clientId, client_secret: client.clientSecret }).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function introspect(client: Client, token: string) {
    const res = await fetch(`${app.url}/oauth/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: client.clientId, client_secret: client.clientSecret }).toString(),
    });
    return (await res.json()) as Record<string, unknown>;
  }

  it('carries a signed one-time code that buys a token for alice and her released fields only', async () => {
    const client = await createClient();
    const bobId = await seedProfile(app, customerId, 'bob', { email: 'bob@example.com', fullname: 'Bob Builder' });
    const back = await signInAlice();
    const code = back.searchParams.get('openid.ids.code')!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(back.searchParams.get('openid.ns.ids')).toBe(`${app.config.PUBLIC_URL}/ns/ids/1.0`);
    expect(back.searchParams.get('openid.signed')!.split(',')).toEqual(expect.arrayContaining(['ns.ids', 'ids.code']));
    // Only the HMAC is stored.
    expect(JSON.stringify(await ownerSql('select * from oauth_login_code'))).not.toContain(code);

    const issued = await exchange(client, code);
    expect(issued.status).toBe(200);
    expect(issued.body).toMatchObject({ token_type: 'Bearer', scope: 'profiles:read profile.email' });
    const token = issued.body.access_token as string;
    expect(await introspect(client, token)).toMatchObject({ active: true, sub: 'alice', scope: 'profiles:read profile.email' });

    const own = await graphql<{ profileByUsername: { username: string; email: string | null; fullname: string | null } | null }>(
      app.url!,
      `query($c: ID!) { profileByUsername(customerId: $c, username: "alice") { username email fullname } }`,
      { c: customerId },
      token,
    );
    expect(own.data!.profileByUsername).toEqual({ username: 'alice', email: 'alice@example.com', fullname: null });
    expect(own.errors).toEqual([expect.objectContaining({ path: ['profileByUsername', 'fullname'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);

    const others = await graphql<{ bob: unknown; byId: unknown; all: { nodes: Array<{ username: string }> }; filtered: { nodes: unknown[] } }>(
      app.url!,
      `query($c: ID!, $bob: ID!) {
        bob: profileByUsername(customerId: $c, username: "bob") { username }
        byId: profile(id: $bob) { username }
        all: profiles { nodes { username } }
        filtered: profiles(filter: { username: "bob" }) { nodes { username } }
      }`,
      { c: customerId, bob: bobId },
      token,
    );
    expect(others.errors).toBeUndefined();
    expect(others.data).toEqual({ bob: null, byId: null, all: { nodes: [{ username: 'alice' }] }, filtered: { nodes: [] } });
  });

  it("stores the token's user sealed, and refuses the token once that person's key is gone", async () => {
    const client = await createClient();
    const code = (await signInAlice()).searchParams.get('openid.ids.code')!;
    const issued = await exchange(client, code);
    expect(issued.status).toBe(200);
    const token = issued.body.access_token as string;
    const tokens = await ownerSql('select id, subject, subject_hash, person_key_id from oauth_access_token');
    expect(tokens).toEqual([{ id: expect.any(String), subject: expect.stringMatching(/^ef1\./), subject_hash: expect.any(String), person_key_id: expect.any(String) }]);
    expect(JSON.stringify(await ownerSql('select * from oauth_access_token'))).not.toContain('alice');
    // The hash is the one the person's other rows carry (how erasure finds their tokens).
    const [profile] = await ownerSql('select id, username_hash, person_key_id from profile');
    expect(tokens[0]).toMatchObject({ subject_hash: profile.username_hash, person_key_id: profile.person_key_id });
    expect((await graphql(app.url!, '{ profiles { nodes { username } } }', {}, token)).data).toEqual({ profiles: { nodes: [{ username: 'alice' }] } });

    // Crypto-shredding (the erasure's first step): the token can no longer name, let alone reach, anyone.
    await ownerSql('select keyring.ids_shred_person(?, ?)', [customerId, profile.id]);
    app.services.keys.forgetPerson(profile.person_key_id);
    expect((await graphql(app.url!, '{ profiles { nodes { username } } }', {}, token)).status).toBe(401);
    expect(await introspect(client, token)).toEqual({ active: false });
  });

  it('refuses a second use of the code and revokes the token issued from the first', async () => {
    const client = await createClient();
    const code = (await signInAlice()).searchParams.get('openid.ids.code')!;
    const first = await exchange(client, code);
    expect(first.status).toBe(200);
    const token = first.body.access_token as string;
    expect(await introspect(client, token)).toMatchObject({ active: true });

    const second = await exchange(client, code);
    expect(second).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await introspect(client, token)).toEqual({ active: false });
    expect((await graphql(app.url!, '{ profiles { nodes { username } } }', {}, token)).status).toBe(401);
  });

  it('refuses an expired code', async () => {
    const client = await createClient();
    const code = (await signInAlice()).searchParams.get('openid.ids.code')!;
    clock.advance(61_000);
    expect(await exchange(client, code)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('refuses unknown codes and codes of another customer, without using them up', async () => {
    const client = await createClient();
    const { customer: other } = await createTestCustomer(app, 'other');
    const stranger = await createClient(other.id);
    const code = (await signInAlice()).searchParams.get('openid.ids.code')!;
    expect(await exchange(stranger, code)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await exchange(client, 'x'.repeat(43))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await exchange(client, code)).toMatchObject({ status: 200 });
  });

  it('puts no code in the assertion when the customer has no enabled OAuth client', async () => {
    const back = await signInAlice();
    expect(back.searchParams.get('openid.ids.code')).toBeNull();
    expect(back.searchParams.get('openid.ns.ids')).toBeNull();
    const [row] = await ownerSql('select count(*)::int as n from oauth_login_code');
    expect(row).toEqual({ n: 0 });
  });
});
