import { App } from '../../../src/app';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { FixedClock } from '../../../src/shared/clock';
import { createTestCustomer, inContext, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { consentForm, postback, startLogin } from '../../support/flow';
import { graphql } from '../../support/graphql';
import { seedProfile } from '../../support/oauth';
import { npmOpenid } from '../../support/rp';
import { openedProfiles, usernameHash } from '../../support/sealed';

/** The RP asks for the same fields through sreg and AX, so both extensions are checked. */
const EXTENSIONS = () => [
  new npmOpenid.SimpleRegistration({ email: 'required', nickname: 'optional', fullname: 'optional' }),
  new npmOpenid.AttributeExchange({ 'http://axschema.org/contact/email': 'required', 'http://axschema.org/namePerson': 'optional' }),
];

type Client = { clientId: string; clientSecret: string };

describe('sign-ins of a user whose processing is restricted', () => {
  let app: App;
  let apiKey: string;
  let customerId: string;
  let client: Client;
  // Real time: the npm RP checks response_nonce timestamps against its own clock.
  const clock = new FixedClock(new Date());

  beforeAll(async () => {
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.set(new Date());
    await resetDatabase();
    ({ apiKey, customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
    const created = await inContext(app, () => app.services.oauthClients.createClient({ customerId, name: 'RP backend', scopes: ['consents:read'] }));
    client = { clientId: created.client.clientId, clientSecret: created.clientSecret };
  });

  const fieldsOf = (username: string, requestId: string, extra: Record<string, string> = {}) => ({
    request_id: requestId,
    api_key: apiKey,
    username,
    sreg_email: `${username}@example.com`,
    sreg_nickname: `${username}-nick`,
    sreg_fullname: `${username} Liddell`,
    ...extra,
  });

  const setRestriction = async (id: string, restricted: boolean) => {
    const res = await graphql(app.url!, `mutation($id: ID!, $r: Boolean!) { setProfileRestriction(profileId: $id, restricted: $r) { profile { id } } }`, { id, r: restricted });
    expect(res.errors).toBeUndefined();
  };

  /** A whole no-prompt sign-in: the RP's verified result, the raw answer URL, and the token bought with its login code. */
  async function signIn(username: string, extra: Record<string, string> = {}) {
    const { rp, browser, requestId } = await startLogin(app, 'acme', { extensions: EXTENSIONS() });
    expect(await postback(app, 'acme', fieldsOf(username, requestId, { no_prompt: 'true', ...extra }))).toMatchObject({ status: 200, body: 'OK' });
    const back = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    expect(back.status).toBe(302);
    const result = await rp.verify(back.location!);
    return { result, answer: new URL(back.location!), token: await exchange(new URL(back.location!).searchParams.get('openid.ids.code')!) };
  }

  async function exchange(code: string) {
    const res = await fetch(`${app.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: client.clientId, client_secret: client.clientSecret }).toString(),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { access_token: string; scope: string };
  }

  /** Attribute values carried by the assertion, whatever the extension (sreg or AX). */
  const attributeParams = (answer: URL) => [...answer.searchParams].filter(([key]) => /^openid\.(sreg\.(?!mode)|ax\.value\.)/.test(key));

  it('completes with a verified positive assertion that carries no attributes, while an unrestricted user gets them', async () => {
    const aliceId = await seedProfile(app, customerId, 'alice', { email: 'alice@example.com', nickname: 'alice-nick', fullname: 'alice Liddell' });
    await seedProfile(app, customerId, 'bob', { email: 'bob@example.com' });
    await setRestriction(aliceId, true);

    const bob = await signIn('bob');
    expect(bob.result).toMatchObject({ authenticated: true, email: 'bob@example.com', nickname: 'bob-nick', fullname: 'bob Liddell' });
    expect(attributeParams(bob.answer).length).toBeGreaterThan(0);
    expect(bob.token.scope).toBe('profiles:read profile.email profile.nickname profile.fullname');

    const alice = await signIn('alice');
    expect(alice.result).toMatchObject({ authenticated: true, claimedIdentifier: `${app.config.PUBLIC_URL}/c/acme/id/alice` });
    expect(alice.result.email).toBeUndefined();
    expect(alice.result.nickname).toBeUndefined();
    expect(alice.result.fullname).toBeUndefined();
    expect(attributeParams(alice.answer)).toEqual([]);
    expect(alice.answer.toString()).not.toContain('example.com');
    // The login code's token grants no field, and reading with it shows only the id and the flag.
    expect(alice.token.scope).toBe('profiles:read');
    const read = await graphql(app.url!, `{ profiles { nodes { id username isRestricted } } }`, {}, alice.token.access_token);
    expect(read).toMatchObject({ data: { profiles: { nodes: [{ id: aliceId, username: null, isRestricted: true }] } } });
    expect(read.errors).toBeUndefined();
    const [request] = await ownerSql(`select released_fields, outcome from auth_request where username_hash = ?`, [await usernameHash(app, customerId, 'alice')]);
    expect(request).toEqual({ released_fields: [], outcome: 'id_res' });
  });

  it('stores nothing the AW posts for a restricted user, only that they signed in (art. 18: storage, no other processing)', async () => {
    const seededAt = clock.now();
    const aliceId = await seedProfile(app, customerId, 'alice', { email: 'alice@example.com' }, seededAt);
    await setRestriction(aliceId, true);
    clock.advance(1_000);
    await signIn('alice', { sreg_email: 'alice@new.example.com', sreg_country: 'fr' });

    expect(await openedProfiles(app, ['email', 'country', 'nickname'])).toEqual([{ email: 'alice@example.com', country: null, nickname: null }]);
    const [times] = await ownerSql(`select updated_at, last_seen_at from profile`);
    expect(times).toEqual({ updated_at: seededAt, last_seen_at: clock.now() });
    const [request] = await ownerSql(`select supplied from auth_request`);
    expect(request).toEqual({ supplied: {} });
    const everything = JSON.stringify(await Promise.all(['auth_request', 'profile', 'audit_outbox', 'audit_payload'].map((t) => ownerSql(`select * from "${t}"`))));
    expect(everything).not.toContain('alice@new.example.com');
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const actions = await ownerSql(`select action from audit_event where target_id = ? order by seq`, [aliceId]);
    expect(actions.map((a) => a.action)).toEqual(['profile.created', 'profile.restricted']);
  });

  it('offers no fields on the consent page, and withholds them when the restriction comes after the postback', async () => {
    const aliceId = await seedProfile(app, customerId, 'alice', { email: 'alice@example.com' });
    // Posted while unrestricted, restricted before the browser returns: the consent page offers nothing.
    const { rp, browser, requestId } = await startLogin(app, 'acme', { extensions: EXTENSIONS() });
    await postback(app, 'acme', fieldsOf('alice', requestId, { no_prompt: 'false' }));
    await setRestriction(aliceId, true);
    const page = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('alice@example.com');
    const form = consentForm(page.body);
    expect(form.shares).toEqual([]);
    // Even a forged form that ticks fields releases none.
    const answer = await browser.postForm(`${app.url}/c/acme/ows_consent`, [
      ['auth_request', form.authRequest],
      ['csrf', form.csrf],
      ['share', 'email'],
      ['decision', 'allow'],
    ]);
    expect(answer.status).toBe(302);
    const result = await rp.verify(answer.location!);
    expect(result).toMatchObject({ authenticated: true });
    expect(result.email).toBeUndefined();
    expect(attributeParams(new URL(answer.location!))).toEqual([]);
    expect((await exchange(new URL(answer.location!).searchParams.get('openid.ids.code')!)).scope).toBe('profiles:read');
  });

  it('gives no field scopes for a code issued before the restriction and exchanged after it', async () => {
    const aliceId = await seedProfile(app, customerId, 'alice', { email: 'alice@example.com' });
    const { browser, requestId } = await startLogin(app, 'acme', { extensions: EXTENSIONS() });
    await postback(app, 'acme', fieldsOf('alice', requestId, { no_prompt: 'true' }));
    const back = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    expect(new URL(back.location!).searchParams.get('openid.sreg.email')).toBe('alice@example.com');
    await setRestriction(aliceId, true);
    expect((await exchange(new URL(back.location!).searchParams.get('openid.ids.code')!)).scope).toBe('profiles:read');
  });

  it('releases everything again once the restriction is lifted, and postbacks update the profile again', async () => {
    const aliceId = await seedProfile(app, customerId, 'alice', { email: 'alice@example.com' });
    await setRestriction(aliceId, true);
    expect((await signIn('alice', { sreg_email: 'alice@new.example.com' })).result.email).toBeUndefined();
    await setRestriction(aliceId, false);

    const alice = await signIn('alice', { sreg_email: 'alice@new.example.com' });
    expect(alice.result).toMatchObject({ authenticated: true, email: 'alice@new.example.com', nickname: 'alice-nick', fullname: 'alice Liddell' });
    expect(alice.token.scope).toBe('profiles:read profile.email profile.nickname profile.fullname');
    const read = await graphql(app.url!, `{ profiles { nodes { username email isRestricted } } }`, {}, alice.token.access_token);
    expect(read.data).toEqual({ profiles: { nodes: [{ username: 'alice', email: 'alice@new.example.com', isRestricted: false }] } });
  });
});
