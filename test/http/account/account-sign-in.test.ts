import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { App } from '../../../src/app';
import { createTestCustomer, inContext, ownerSql, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { enablePrivacyCenter, signInToAccount, startAccountSignIn } from '../../support/account';
import { TEST_REDIS_URL, testQueuePrefix } from '../../support/env';
import { Browser, consentForm, postback } from '../../support/flow';
import { npmOpenid, relyingParty } from '../../support/rp';
import { graphql } from '../../support/graphql';

const PREFIX = `${testQueuePrefix()}-account-${randomUUID().slice(0, 8)}`;
const MAX_SECONDS = 3600;
const METRICS_TOKEN = 'account-metrics-token-0123456789abcdef';

/** The privacy center's sign-in through the customer's AW (issue 22), over HTTP; its session: account-session.test.ts. */
describe('privacy center sign-in through the AW (/c/{slug}/account/sign-in)', () => {
  let app: App;
  let redis: Redis;
  let apiKey: string;
  let customerId: string;

  beforeAll(async () => {
    app = await startPublicTestApp(
      {
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        QUEUE_PREFIX: PREFIX,
        // Behind a proxy that says when the browser came over TLS (the Secure cookie test).
        TRUST_PROXY: 'true',
        METRICS_TOKEN: METRICS_TOKEN,
        ACCOUNT_SESSION_MAX_SECONDS: String(MAX_SECONDS),
        // Every test here starts sign-ins from one address; the limit has a test of its own below.
        RATE_LIMIT_ACCOUNT_SIGN_IN_PER_ADDRESS: '1000',
      },
    );
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await app?.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
    const created = await createTestCustomer(app, 'acme', { verifyUrl: 'https://aw.example.com/verify?lang=en' });
    ({ apiKey } = created);
    customerId = created.customer.id;
    // A service client: an ordinary sign-in of this customer would now carry a login code.
    await inContext(app, () => app.services.oauthClients.createClient({ customerId, name: 'CRM', scopes: ['profiles:read'] }));
    await enablePrivacyCenter(app, 'acme');
    const left = await sessionKeys();
    if (left.length > 0) await redis.del(...left);
  });

  const account = (slug = 'acme') => `${app.url}/c/${slug}/account`;
  const sessionKeys = () => redis.keys(`${PREFIX}:account-session:*`);
  const sessionKeyOf = (id: string) => `${PREFIX}:account-session:${createHash('sha256').update(id).digest('hex')}`;
  const withoutReference = (html: string) => html.replace(/Reference: [0-9a-f-]+/, '');

  it('hands the browser to the Verify URL marked as an account sign-in, asking for no attributes', async () => {
    const { verify, hop, requestId } = await startAccountSignIn(app, 'acme');
    expect(verify.origin + verify.pathname).toBe('https://aw.example.com/verify');
    expect(verify.searchParams.get('lang')).toBe('en');
    expect(verify.searchParams.get('purpose')).toBe('account');
    expect(verify.searchParams.get('realm')).toBe(`${app.config.PUBLIC_URL}/c/acme/account`);
    expect(verify.searchParams.has('requested_attributes')).toBe(false);
    expect(requestId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(hop.headers.getSetCookie()[0]).toMatch(/^ids_txn=[^;]+; Max-Age=600; Path=\/c\/acme\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    const [row] = await ownerSql('select mode, realm, return_to, requested_fields, status, openid_request from auth_request');
    expect(row).toEqual({
      mode: 'account',
      realm: `${app.config.PUBLIC_URL}/c/acme/account`,
      return_to: `${app.config.PUBLIC_URL}/c/acme/account`,
      requested_fields: [],
      status: 'AWAITING_AW',
      openid_request: { account: true },
    });
  });

  it('signs the person in: a Strict, HttpOnly session cookie on the center\'s path, and no consent, assertion or code', async () => {
    const { browser, back, sessionId } = await signInToAccount(app, 'acme', apiKey, 'alice', { no_prompt: 'true', sreg_email: 'alice@example.com' });
    expect(back.status).toBe(200);
    expect(back.body).toContain('<meta http-equiv="refresh" content="0;url=/c/acme/account">');
    expect(back.body).toContain('href="/c/acme/account"');
    expect(back.headers.get('cache-control')).toBe('no-store');
    const line = back.headers.getSetCookie().find((l) => l.startsWith('ids_account='))!;
    expect(line).toMatch(new RegExp(`^ids_account=${sessionId}; Max-Age=${MAX_SECONDS}; Path=/c/acme/account; Expires=[^;]+; HttpOnly; SameSite=Strict$`));
    expect(line).not.toMatch(/Secure/);
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const [request] = await ownerSql('select id, mode, status, outcome, released_fields from auth_request');
    expect(request).toMatchObject({ mode: 'account', status: 'COMPLETED', outcome: 'id_res', released_fields: [] });
    // The API names it a privacy center sign-in, and keeps it out of the OpenID 2.0 requests.
    const listed = async (protocol: string) =>
      (await graphql<{ authRequests: { nodes: Array<{ id: string; protocol: string }> } }>(app.url!, `{ authRequests(filter: { protocol: ${protocol} }) { nodes { id protocol } } }`)).data!.authRequests.nodes;
    expect(await listed('ACCOUNT')).toEqual([{ id: request.id, protocol: 'ACCOUNT' }]);
    expect(await listed('OPENID2')).toEqual([]);
    const counts = await tableCounts();
    expect(counts).toMatchObject({ oauth_login_code: 0, oidc_code: 0, consent_decision: 0 });
    const events = await ownerSql('select action, actor_kind, actor_id, target_id, subject_hash from audit_outbox where action like ? or action like ? order by id', ['login.%', 'account.%']);
    expect(events).toEqual([
      { action: 'account.signed_in', actor_kind: 'DATA_SUBJECT', actor_id: 'acme', target_id: request.id, subject_hash: app.services.audit.subjectHash(customerId, 'alice') },
    ]);

    // The session names alice's profile, which the postback recorded as for any sign-in.
    const [profile] = await ownerSql('select id from profile where customer_id = ?', [customerId]);
    const stored = JSON.parse((await redis.get(sessionKeyOf(sessionId)))!);
    expect(stored).toMatchObject({ customerId, slug: 'acme', profileId: profile.id, region: 'EU' });
    const page = await browser.get(account());
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('/c/acme/account/sign-in');
  });

  it('a new sign-in in a browser ends the session that browser held, at its start (the only step its Strict cookie reaches)', async () => {
    const first = await signInToAccount(app, 'acme', apiKey, 'alice');
    expect(await sessionKeys()).toEqual([sessionKeyOf(first.sessionId)]);
    const { hop, requestId } = await startAccountSignIn(app, 'acme', first.browser);
    expect(hop.headers.getSetCookie().find((l) => l.startsWith('ids_account='))).toMatch(/^ids_account=; Path=\/c\/acme\/account; Expires=Thu, 01 Jan 1970/);
    expect(await sessionKeys()).toEqual([]);
    await postback(app, 'acme', { request_id: requestId, api_key: apiKey, username: 'bob' });
    await first.browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    const second = first.browser.cookie('ids_account')!;
    expect(second).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await sessionKeys()).toEqual([sessionKeyOf(second)]);
    // A browser without a session starts without touching anyone else's.
    await startAccountSignIn(app, 'acme');
    expect(await sessionKeys()).toEqual([sessionKeyOf(second)]);
  });

  it('counts the sign-in\'s start and end under protocol="account"', async () => {
    const series = async (step: string, outcome: string) => {
      const text = await (await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      const line = text.split('\n').find((l) => l.startsWith('ids_login_flow_steps_total{') && l.includes('protocol="account"') && l.includes(`step="${step}"`) && l.includes(`outcome="${outcome}"`));
      return line === undefined ? 0 : Number(line.split(' ').pop());
    };
    const [started, completed, cancelled] = [await series('started', 'ok'), await series('end', 'completed'), await series('end', 'cancelled')];
    await signInToAccount(app, 'acme', apiKey);
    expect([await series('started', 'ok'), await series('end', 'completed'), await series('end', 'cancelled')]).toEqual([started + 1, completed + 1, cancelled]);
  });

  it('marks the session cookie Secure when the browser came over TLS', async () => {
    const { browser, requestId } = await startAccountSignIn(app, 'acme');
    await postback(app, 'acme', { request_id: requestId, api_key: apiKey, username: 'alice' });
    const back = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`, { 'x-forwarded-proto': 'https' });
    expect(back.headers.getSetCookie().find((l) => l.startsWith('ids_account='))).toMatch(/; Path=\/c\/acme\/account; Expires=[^;]+; HttpOnly; Secure; SameSite=Strict$/);
  });

  it('completes without a consent page even when the AW asks for prompting, and a consent form for it changes nothing', async () => {
    const { browser, requestId } = await startAccountSignIn(app, 'acme');
    await postback(app, 'acme', { request_id: requestId, api_key: apiKey, username: 'alice', no_prompt: 'false', sreg_email: 'alice@example.com' });
    const back = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    expect(back.status).toBe(200);
    expect(back.body).not.toContain('name="decision"');
    expect(browser.cookie('ids_account')).toBeDefined();
    const [request] = await ownerSql('select id from auth_request');
    const before = await tableCounts();
    const forged = await browser.postForm(`${app.url}/c/acme/ows_consent`, [['auth_request', request.id], ['csrf', 'x'.repeat(43)], ['share', 'email'], ['decision', 'allow']]);
    expect(forged.status).toBe(403);
    expect(forged.location).toBeNull();
    expect(await tableCounts()).toEqual(before);
    // A second return of the same request opens no second session.
    const again = await new Browser().get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.headers.getSetCookie().some((l) => l.startsWith('ids_account='))).toBe(false);
    expect(await sessionKeys()).toHaveLength(1);
  });

  it('an RP\'s checkid naming the center\'s address as its realm is an ordinary sign-in: consent page, no account session', async () => {
    const realm = `${app.config.PUBLIC_URL}/c/acme/account`;
    const rp = relyingParty({ returnUrl: `${realm}?x=1`, realm, stateless: true, extensions: [new npmOpenid.SimpleRegistration({ email: 'required' })] });
    const browser = new Browser();
    const hop = await browser.get(await rp.start(`${app.config.PUBLIC_URL}/c/acme/`));
    expect(hop.status).toBe(302);
    const requestId = new URL(hop.location!).searchParams.get('request_id')!;
    expect(new URL(hop.location!).searchParams.has('purpose')).toBe(false);
    await postback(app, 'acme', { request_id: requestId, api_key: apiKey, username: 'alice', no_prompt: 'false', sreg_email: 'alice@example.com' });
    const back = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    expect(consentForm(back.body).shares).toEqual(['email']);
    expect(back.headers.getSetCookie().some((l) => l.startsWith('ids_account='))).toBe(false);
    expect(await ownerSql('select mode from auth_request')).toEqual([{ mode: 'checkid_setup' }]);
    expect(await sessionKeys()).toHaveLength(0);
  });

  it('a cancel by the AW ends at the center\'s start page, with no session, audited as any cancelled sign-in', async () => {
    const { browser, requestId } = await startAccountSignIn(app, 'acme');
    expect((await postback(app, 'acme', { request_id: requestId, api_key: apiKey, cancel: 'true' })).status).toBe(200);
    const back = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    expect(back.status).toBe(303);
    expect(back.location).toBe('/c/acme/account?signin=cancelled');
    expect(browser.cookie('ids_account')).toBeUndefined();
    expect(await sessionKeys()).toHaveLength(0);
    expect(await ownerSql('select status, outcome from auth_request')).toEqual([{ status: 'COMPLETED', outcome: 'cancel' }]);
    expect((await ownerSql('select action from audit_outbox where action like ?', ['login.%'])).map((e) => e.action)).toEqual(['login.failed']);
  });

  it('ends a sign-in whose return comes in another browser: neither that browser nor the one that started it gets a session', async () => {
    // The attacker starts a sign-in (his browser holds the binding cookie) and sends its Verify URL to the victim,
    // who signs in at the AW; the AW posts back the victim's name and sends the victim's browser to the Return URL.
    const attacker = await startAccountSignIn(app, 'acme', new Browser());
    expect((await postback(app, 'acme', { request_id: attacker.requestId, api_key: apiKey, username: 'alice' })).status).toBe(200);
    const victim = new Browser();
    const victimBack = await victim.get(`${app.url}/c/acme/ows_return?request_id=${attacker.requestId}`);
    expect(victimBack.status).toBe(403);
    expect(victimBack.body).toContain('This sign-in was not started in this browser.');
    const reason = 'returned in another browser than the one that started the sign-in';
    expect(await ownerSql('select status, outcome, failure_reason from auth_request')).toEqual([{ status: 'COMPLETED', outcome: 'cancel', failure_reason: reason }]);
    // The attacker's return, with the binding cookie, finds it finished.
    const attackerBack = await attacker.browser.get(`${app.url}/c/acme/ows_return?request_id=${attacker.requestId}`);
    expect(attackerBack.status).toBe(409);
    expect(attackerBack.headers.getSetCookie().some((l) => l.startsWith('ids_account='))).toBe(false);
    expect(attacker.browser.cookie('ids_account')).toBeUndefined();
    expect(victim.cookie('ids_account')).toBeUndefined();
    expect(await sessionKeys()).toHaveLength(0);
    const events = await ownerSql('select action, details from audit_outbox where action like ? or action like ? order by id', ['login.%', 'account.%']);
    expect(events.map((e) => [e.action, (e.details as { reason?: string }).reason])).toEqual([['login.failed', reason]]);
  });

  it('opens no session for a person erased between the postback and the return', async () => {
    const profileGone = await startAccountSignIn(app, 'acme');
    await postback(app, 'acme', { request_id: profileGone.requestId, api_key: apiKey, username: 'alice' });
    await ownerSql('delete from profile where customer_id = ?', [customerId]);
    const back = await profileGone.browser.get(`${app.url}/c/acme/ows_return?request_id=${profileGone.requestId}`);
    expect(back.status).toBe(303);
    expect(back.location).toBe('/c/acme/account?signin=cancelled');
    expect(await ownerSql('select outcome, failure_reason from auth_request')).toEqual([{ outcome: 'cancel', failure_reason: 'the person\'s profile no longer exists' }]);
    expect(await ownerSql('select action from audit_outbox where action in (?, ?)', ['account.signed_in', 'login.failed'])).toEqual([{ action: 'login.failed' }]);
    // Crypto-shredded (the person's key gone, the row not yet): the username no longer opens, and nobody is signed in.
    const keyGone = await startAccountSignIn(app, 'acme');
    await postback(app, 'acme', { request_id: keyGone.requestId, api_key: apiKey, username: 'bob' });
    await ownerSql('delete from keyring.person_key where customer_id = ?', [customerId]);
    const shredded = await keyGone.browser.get(`${app.url}/c/acme/ows_return?request_id=${keyGone.requestId}`);
    expect(shredded.status).toBe(303);
    expect(keyGone.browser.cookie('ids_account')).toBeUndefined();
    expect(profileGone.browser.cookie('ids_account')).toBeUndefined();
    expect(await sessionKeys()).toHaveLength(0);
  });

  it('answers the same 404 page for a closed center as for an unknown customer, and starts nothing', async () => {
    await createTestCustomer(app, 'globex');
    const closed = await new Browser().get(`${account('globex')}/sign-in`);
    const unknown = await new Browser().get(`${account('nobody')}/sign-in`);
    expect(closed.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(closed.body).toContain('This website has no privacy center here.');
    expect(withoutReference(closed.body)).toBe(withoutReference(unknown.body));
    expect(closed.headers.getSetCookie()).toEqual([]);
    expect(await ownerSql('select id from auth_request')).toEqual([]);
    // The center's page itself too.
    const page = await new Browser().get(account('globex'));
    expect(page.status).toBe(404);
    expect(withoutReference(page.body)).toBe(withoutReference(unknown.body));
  });
});
