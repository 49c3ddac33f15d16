import { App } from '../../../src/app';
import { FixedClock } from '../../../src/shared/clock';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { everyStoredRow, openedProfiles } from '../../support/sealed';
import { consentForm, postback, RETURN_URL, startLogin } from '../../support/flow';
import { npmOpenid, relyingParty } from '../../support/rp';

const SREG = () => [new npmOpenid.SimpleRegistration({ email: 'required', nickname: 'optional', fullname: 'optional' })];

describe('the delegated login flow, end to end over HTTP', () => {
  let app: App;
  let apiKey: string;
  const clock = new FixedClock(new Date());

  beforeAll(async () => {
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.set(new Date());
    await resetDatabase();
    ({ apiKey } = await createTestCustomer(app, 'acme', { verifyUrl: 'https://aw.example.com/verify?lang=en' }));
  });

  const aliceFields = (requestId: string, extra: Record<string, string> = {}) => ({
    request_id: requestId,
    api_key: apiKey,
    username: 'alice',
    sreg_email: 'alice@example.com',
    sreg_nickname: 'alice',
    sreg_fullname: 'Alice Liddell',
    ...extra,
  });

  it('hands the browser to the Verify URL with the request and binds it with a cookie', async () => {
    const { verify, requestId, setCookie } = await startLogin(app, 'acme', { extensions: SREG() });
    expect(verify.origin + verify.pathname).toBe('https://aw.example.com/verify');
    expect(verify.searchParams.get('lang')).toBe('en');
    expect(requestId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(verify.searchParams.get('realm')).toBe('http://rp.example.org/');
    expect(verify.searchParams.get('requested_attributes')).toBe('sreg_email,sreg_nickname,sreg_fullname');
    expect(verify.searchParams.get('required_attributes')).toBe('sreg_email');
    expect(setCookie).toHaveLength(1);
    expect(setCookie[0]).toMatch(/^ids_txn=[^;]+; Max-Age=600; Path=\/c\/acme\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    const stored = JSON.stringify(await ownerSql('select * from auth_request'));
    expect(stored).not.toContain(requestId);
  });

  it('with no_prompt=true answers the RP at once with the requested fields, and records the profile', async () => {
    const { rp, browser, requestId } = await startLogin(app, 'acme', { extensions: SREG() });
    const pb = await postback(app, 'acme', aliceFields(requestId, { no_prompt: 'TRUE', sreg_country: 'fr', password: 'hunter2' }));
    expect(pb).toMatchObject({ status: 200, body: 'OK' });
    expect(pb.contentType).toMatch(/^text\/plain/);
    const back = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    expect(back.status).toBe(302);
    expect(back.location!.startsWith(`${RETURN_URL}&`)).toBe(true);
    const result = await rp.verify(back.location!);
    expect(result).toMatchObject({ authenticated: true, claimedIdentifier: `${app.config.PUBLIC_URL}/c/acme/id/alice`, email: 'alice@example.com', nickname: 'alice' });
    const [profile] = await openedProfiles(app, ['username', 'email', 'country']);
    expect(profile).toEqual({ username: 'alice', email: 'alice@example.com', country: 'FR' });
    // The AW posted its whole user row: nothing but the known fields was kept anywhere, and those only sealed.
    const stored = await everyStoredRow();
    expect(stored).not.toContain('hunter2');
    expect(stored).not.toContain('alice@example.com');
  });

  it('asks for consent, releases only the ticked fields, and remembers the decision when asked', async () => {
    const first = await startLogin(app, 'acme', { extensions: SREG() });
    expect((await postback(app, 'acme', aliceFields(first.requestId, { no_prompt: 'false' }))).status).toBe(200);
    const page = await first.browser.get(`${app.url}/c/acme/ows_return?request_id=${first.requestId}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.body).toContain('rp.example.org');
    expect(page.body).toContain(`${app.config.PUBLIC_URL}/c/acme/id/alice`);
    const form = consentForm(page.body);
    expect(form.shares.sort()).toEqual(['email', 'fullname', 'nickname']);
    const answer = await first.browser.postForm(`${app.url}/c/acme/ows_consent`, [
      ['auth_request', form.authRequest],
      ['csrf', form.csrf],
      ['share', 'email'],
      ['remember', 'true'],
      ['decision', 'allow'],
    ]);
    expect(answer.status).toBe(302);
    const result = await first.rp.verify(answer.location!);
    expect(result).toMatchObject({ authenticated: true, email: 'alice@example.com' });
    expect(result.nickname).toBeUndefined();
    expect(result.fullname).toBeUndefined();

    // The decision is single use: posting it again changes nothing.
    const again = await first.browser.postForm(`${app.url}/c/acme/ows_consent`, [['auth_request', form.authRequest], ['csrf', form.csrf], ['decision', 'allow']]);
    expect(again.status).toBe(409);

    // Next time, the remembered decision answers without a consent page.
    const second = await startLogin(app, 'acme', { extensions: SREG() });
    await postback(app, 'acme', aliceFields(second.requestId, { no_prompt: 'false' }));
    const back = await second.browser.get(`${app.url}/c/acme/ows_return?request_id=${second.requestId}`);
    expect(back.status).toBe(302);
    const remembered = await second.rp.verify(back.location!);
    expect(remembered).toMatchObject({ authenticated: true, email: 'alice@example.com' });
    expect(remembered.nickname).toBeUndefined();
  });

  it('sends a cancel to the RP when the user declines', async () => {
    const { browser, requestId } = await startLogin(app, 'acme', { extensions: SREG() });
    await postback(app, 'acme', aliceFields(requestId));
    const form = consentForm((await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`)).body);
    const answer = await browser.postForm(`${app.url}/c/acme/ows_consent`, [['auth_request', form.authRequest], ['csrf', form.csrf], ['decision', 'deny']]);
    expect(new URL(answer.location!).searchParams.get('openid.mode')).toBe('cancel');
    const [decision] = await ownerSql(`select decision, granted_fields from consent_decision`);
    expect(decision).toEqual({ decision: 'DENY', granted_fields: [] });
  });

  it('refuses a consent form without the right CSRF token and changes nothing', async () => {
    const { browser, requestId } = await startLogin(app, 'acme', { extensions: SREG() });
    await postback(app, 'acme', aliceFields(requestId));
    const form = consentForm((await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`)).body);
    const forged = await browser.postForm(`${app.url}/c/acme/ows_consent`, [['auth_request', form.authRequest], ['csrf', 'x'.repeat(43)], ['decision', 'allow']]);
    expect(forged.status).toBe(403);
    expect(forged.location).toBeNull();
    const [row] = await ownerSql(`select status from auth_request`);
    expect(row).toEqual({ status: 'CONSENT_PENDING' });
  });

  it('sends a cancel when the AW posts cancel, and when the browser returns before any postback', async () => {
    const cancelled = await startLogin(app, 'acme');
    expect((await postback(app, 'acme', { request_id: cancelled.requestId, api_key: apiKey, cancel: 'true' })).status).toBe(200);
    const a = await cancelled.browser.get(`${app.url}/c/acme/ows_return?request_id=${cancelled.requestId}`);
    expect(new URL(a.location!).searchParams.get('openid.mode')).toBe('cancel');

    const early = await startLogin(app, 'acme');
    const b = await early.browser.get(`${app.url}/c/acme/ows_return?request_id=${early.requestId}`);
    expect(new URL(b.location!).searchParams.get('openid.mode')).toBe('cancel');
  });

  it('finds the request from the binding cookie when the AW returns without request_id', async () => {
    const { rp, browser, requestId } = await startLogin(app, 'acme');
    await postback(app, 'acme', { request_id: requestId, api_key: apiKey, username: 'alice', no_prompt: '1' });
    const back = await browser.get(`${app.url}/c/acme/ows_return`);
    expect(await rp.verify(back.location!)).toMatchObject({ authenticated: true });
  });

  it('releases no attributes for a user the AW marks as under 13', async () => {
    const { rp, browser, requestId } = await startLogin(app, 'acme', { extensions: SREG() });
    const dob = `${new Date().getUTCFullYear() - 8}-05-01`;
    await postback(app, 'acme', aliceFields(requestId, { no_prompt: 'true', sreg_dob: dob }));
    const back = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    const result = await rp.verify(back.location!);
    expect(result).toMatchObject({ authenticated: true });
    expect(result.email).toBeUndefined();
  });

  it('cancels when the AW logs in another user than the RP asked about', async () => {
    const { browser, requestId } = await startLogin(app, 'acme', {}, `${app.config.PUBLIC_URL}/c/acme/id/bob`);
    await postback(app, 'acme', aliceFields(requestId, { no_prompt: 'true' }));
    const back = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    expect(new URL(back.location!).searchParams.get('openid.mode')).toBe('cancel');
  });

  it('asserts the user the RP asked about, whose identifier is stored sealed with the request', async () => {
    const { rp, browser, requestId } = await startLogin(app, 'acme', {}, `${app.config.PUBLIC_URL}/c/acme/id/alice-named`);
    const [stored] = await ownerSql('select openid_request from auth_request');
    expect(JSON.stringify(stored)).not.toContain('alice-named');
    await postback(app, 'acme', { request_id: requestId, api_key: apiKey, username: 'alice-named', no_prompt: 'true' });
    const back = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    expect(await rp.verify(back.location!)).toMatchObject({ authenticated: true, claimedIdentifier: `${app.config.PUBLIC_URL}/c/acme/id/alice-named` });
    expect(await everyStoredRow()).not.toContain('alice-named');
  });

  it('relays the AW blob to the RP in the signed private extension', async () => {
    const { rp, browser, requestId } = await startLogin(app, 'acme');
    await postback(app, 'acme', aliceFields(requestId, { no_prompt: 'true', blob: 'uuid=42&tier=gold' }));
    const back = new URL((await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`)).location!);
    expect(back.searchParams.get('openid.ns.ids')).toBe(`${app.config.PUBLIC_URL}/ns/ids/1.0`);
    expect(back.searchParams.get('openid.ids.blob')).toBe('uuid=42&tier=gold');
    expect(back.searchParams.get('openid.signed')!.split(',')).toEqual(expect.arrayContaining(['ns.ids', 'ids.blob']));
    expect(await rp.verify(back.toString())).toMatchObject({ authenticated: true });
  });

  it('updates only the profile fields the AW sent this time', async () => {
    const first = await startLogin(app, 'acme');
    await postback(app, 'acme', aliceFields(first.requestId, { sreg_country: 'DE' }));
    const second = await startLogin(app, 'acme');
    await postback(app, 'acme', { request_id: second.requestId, api_key: apiKey, username: 'alice', sreg_email: 'new@example.com' });
    const rows = await openedProfiles(app, ['username', 'email', 'nickname', 'country']);
    expect(rows).toEqual([{ username: 'alice', email: 'new@example.com', nickname: 'alice', country: 'DE' }]);
  });

  it('answers checkid_immediate with setup_needed without contacting the AW', async () => {
    const rp = relyingParty({ returnUrl: RETURN_URL, stateless: true });
    const res = await fetch(await rp.start(`${app.config.PUBLIC_URL}/c/acme/`, true), { redirect: 'manual' });
    expect(new URL(res.headers.get('location')!).searchParams.get('openid.mode')).toBe('setup_needed');
  });
});
