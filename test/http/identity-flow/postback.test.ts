import { App } from '../../../src/app';
import { FixedClock } from '../../../src/shared/clock';
import { PLATFORM } from '../../../src/shared/tenant';
import { hashRequestId } from '../../../src/identity-flow';
import { createTestCustomer, inContext, ownerSql, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { openedProfiles } from '../../support/sealed';
import { Browser, postback, startLogin } from '../../support/flow';

/** docs/protocol.md#postback (postback) and §4.4 (Return URL): every refusal, with its status and body. */
describe('the postback and Return URL on bad input', () => {
  let app: App;
  let apiKey: string;
  const clock = new FixedClock(new Date());

  beforeAll(async () => {
    app = await startPublicTestApp({}, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.set(new Date());
    await resetDatabase();
    ({ apiKey } = await createTestCustomer(app, 'acme'));
  });

  async function statusOf(requestId: string): Promise<string> {
    const [row] = await ownerSql(`select status from auth_request where request_id_hash = ?`, [hashRequestId(requestId)]);
    return (row as { status: string }).status;
  }

  it.each<[string, (id: string, key: string) => Record<string, string> | Array<[string, string]>, number, string]>([
    ['a wrong API key, even for an unknown request', (_id, key) => ({ request_id: 'nope', api_key: `${key}x`, username: 'alice' }), 403, 'error: invalid_api_key'],
    ['no API key', (id) => ({ request_id: id, username: 'alice' }), 403, 'error: invalid_api_key'],
    ['no request_id', (_id, key) => ({ api_key: key, username: 'alice' }), 400, 'error: missing_parameter request_id'],
    ['an unknown request_id', (_id, key) => ({ request_id: 'x'.repeat(32), api_key: key, username: 'alice' }), 404, 'error: unknown_request'],
    ['username and cancel', (id, key) => ({ request_id: id, api_key: key, username: 'alice', cancel: 'true' }), 400, 'error: username_and_cancel'],
    ['neither username nor cancel', (id, key) => ({ request_id: id, api_key: key }), 400, 'error: missing_parameter username'],
    ['a repeated field', (id, key) => [['request_id', id], ['api_key', key], ['username', 'alice'], ['username', 'mallory']], 400, 'error: duplicate_parameter username'],
    ['a username with control characters', (id, key) => ({ request_id: id, api_key: key, username: 'al\u0000ice' }), 400, 'error: invalid_parameter username'],
    ['a sreg value with a line break', (id, key) => ({ request_id: id, api_key: key, username: 'alice', sreg_email: 'a@b.c\r\nX: y' }), 400, 'error: invalid_parameter sreg_email'],
    ['a blob of 5,000 characters', (id, key) => ({ request_id: id, api_key: key, username: 'alice', blob: 'b'.repeat(5000) }), 400, 'error: invalid_parameter blob'],
    ['no_prompt that is not a boolean', (id, key) => ({ request_id: id, api_key: key, username: 'alice', no_prompt: 'maybe' }), 400, 'error: invalid_parameter no_prompt'],
  ])('refuses %s and leaves the request waiting', async (_case, fields, status, body) => {
    const { requestId } = await startLogin(app, 'acme');
    const before = await tableCounts();
    const res = await postback(app, 'acme', fields(requestId, apiKey));
    expect({ status: res.status, body: res.body }).toEqual({ status, body });
    expect(res.contentType).toMatch(/^text\/plain/);
    expect(await statusOf(requestId)).toBe('AWAITING_AW');
    expect(await tableCounts()).toEqual(before);
  });

  it('refuses another customer\'s request_id as unknown', async () => {
    const { apiKey: otherKey } = await createTestCustomer(app, 'globex');
    const { requestId } = await startLogin(app, 'acme');
    const res = await postback(app, 'globex', { request_id: requestId, api_key: otherKey, username: 'alice' });
    expect(res).toMatchObject({ status: 404, body: 'error: unknown_request' });
  });

  it('answers 405, 415 and 413 for the wrong method, type and size', async () => {
    expect((await fetch(`${app.url}/c/acme/ows_auth`)).status).toBe(405);
    const json = await fetch(`${app.url}/c/acme/ows_auth`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect({ status: json.status, body: await json.text() }).toEqual({ status: 415, body: 'error: unsupported_media_type' });
    const big = await postback(app, 'acme', { request_id: 'x', api_key: apiKey, filler: 'f'.repeat(17 * 1024) });
    expect(big).toMatchObject({ status: 413, body: 'error: too_large' });
  });

  it('accepts both + and %20 as a space', async () => {
    const { requestId } = await startLogin(app, 'acme');
    const res = await fetch(`${app.url}/c/acme/ows_auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `request_id=${requestId}&api_key=${apiKey}&username=alice&sreg_fullname=Alice+in%20Wonderland`,
    });
    expect(res.status).toBe(200);
    expect(await openedProfiles(app, ['fullname'])).toEqual([{ fullname: 'Alice in Wonderland' }]);
  });

  it('answers 200 again for a retried identical postback and 409 for a different one, with one transition', async () => {
    const { requestId } = await startLogin(app, 'acme');
    const fields = { request_id: requestId, api_key: apiKey, username: 'alice', sreg_email: 'a@example.com' };
    expect((await postback(app, 'acme', fields)).status).toBe(200);
    expect(await postback(app, 'acme', fields)).toMatchObject({ status: 200, body: 'OK' });
    expect(await postback(app, 'acme', { ...fields, username: 'mallory' })).toMatchObject({ status: 409, body: 'error: already_posted' });
    const transitions = await ownerSql(`select event from auth_request_transition where event = 'POSTBACK_USER'`);
    expect(transitions).toHaveLength(1);
  });

  it('accepts exactly one of two concurrent different postbacks', async () => {
    const { requestId } = await startLogin(app, 'acme');
    const results = await Promise.all(
      ['alice', 'bob', 'carol', 'dave'].map((username) => postback(app, 'acme', { request_id: requestId, api_key: apiKey, username })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(3);
  });

  it('answers 410 once the request has expired, and the Return URL shows an expiry page', async () => {
    const { browser, requestId } = await startLogin(app, 'acme');
    clock.advance(11 * 60 * 1000);
    expect(await postback(app, 'acme', { request_id: requestId, api_key: apiKey, username: 'alice' })).toMatchObject({ status: 410, body: 'error: request_expired' });
    const back = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    expect(back.status).toBe(410);
    expect(back.location).toBeNull();
  });

  it('keeps working with the previous API key during its rotation grace period', async () => {
    const { requestId } = await startLogin(app, 'acme');
    const [{ id }] = (await ownerSql(`select id from customer where slug = 'acme'`)) as Array<{ id: string }>;
    await inContext(app, () => app.services.customers.rotateCustomerApiKey(id, PLATFORM));
    expect((await postback(app, 'acme', { request_id: requestId, api_key: apiKey, username: 'alice' })).status).toBe(200);
  });

  describe('the Return URL', () => {
    it('shows an error page and sends nothing to the RP without the binding cookie', async () => {
      const { requestId } = await startLogin(app, 'acme');
      await postback(app, 'acme', { request_id: requestId, api_key: apiKey, username: 'alice', no_prompt: 'true' });
      const stranger = new Browser();
      const res = await stranger.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
      expect(res.status).toBe(403);
      expect(res.location).toBeNull();
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    });

    it('refuses a cookie of another request (a harvested request_id replayed into a victim\'s browser)', async () => {
      const attacker = await startLogin(app, 'acme');
      await postback(app, 'acme', { request_id: attacker.requestId, api_key: apiKey, username: 'mallory', no_prompt: 'true' });
      const victim = await startLogin(app, 'acme');
      const res = await victim.browser.get(`${app.url}/c/acme/ows_return?request_id=${attacker.requestId}`);
      expect(res.status).toBe(403);
      expect(res.location).toBeNull();
    });

    it('shows an error page for an unknown request and for a completed one replayed', async () => {
      const { browser, requestId } = await startLogin(app, 'acme');
      expect((await browser.get(`${app.url}/c/acme/ows_return?request_id=unknown`)).status).toBe(404);
      await postback(app, 'acme', { request_id: requestId, api_key: apiKey, username: 'alice', no_prompt: 'true' });
      expect((await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`)).status).toBe(302);
      const replay = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
      expect(replay.status).toBe(409);
      expect(replay.location).toBeNull();
    });
  });
});
