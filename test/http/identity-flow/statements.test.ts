import { Client } from 'pg';
import { App } from '../../../src/app';
import { AuthRequestEvent, AuthRequestStatus, TRANSITIONS } from '../../../src/identity-flow/auth-request.state';
import { changesDelivered, createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { Browser, consentForm, postback, REALM, RETURN_URL } from '../../support/flow';
import { associate, discover, npmOpenid, relyingParty } from '../../support/rp';

/**
 * Statements per step of a login (issue 15): each step of the delegated login is one statement
 * (a SQL function call that enters its customer's scope itself), so BEGIN and COMMIT never appear.
 * Counted at the driver: every query any `pg` client of this process sends, while one step's HTTP
 * request is in flight (the test's own queries run outside those windows). A change that adds a
 * query to a step fails here; speed stays a benchmark figure.
 */

const counted: string[] = [];
let counting = false;
const prototype = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const query = prototype.query;

function textOf(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  return String((arg as { text?: string; name?: string } | undefined)?.text ?? '');
}

/** The statements one step sent, by their text's first words. */
async function statementsOf(step: () => Promise<unknown>): Promise<string[]> {
  counted.length = 0;
  counting = true;
  try {
    await step();
  } finally {
    counting = false;
  }
  return counted.map((text) => text.replace(/\s+/g, ' ').trim());
}

const SREG = () => [new npmOpenid.SimpleRegistration({ email: 'required', nickname: 'optional', fullname: 'optional' })];

describe('statements per step of a login', () => {
  let app: App;
  let apiKey: string;

  beforeAll(async () => {
    prototype.query = function countedQuery(this: unknown, ...args: unknown[]) {
      if (counting) counted.push(textOf(args[0]));
      return query.apply(this, args);
    };
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
  });
  afterAll(async () => {
    prototype.query = query;
    await app.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
    ({ apiKey } = await createTestCustomer(app, 'acme'));
    // The customer's notification must not arrive in the middle of a counted step and empty the
    // cache then (a reload would be counted as the step's).
    await changesDelivered(app);
  });

  const fields = (requestId: string, noPrompt: boolean): Record<string, string> => ({
    request_id: requestId,
    api_key: apiKey,
    username: 'alice',
    no_prompt: String(noPrompt),
    sreg_email: 'alice@example.com',
    sreg_nickname: 'alice',
  });

  /**
   * An RP and the checkid URL it sends browsers to. npm openid makes a new association for each
   * `start`; an RP keeps its shared association, so the same URL (and handle) serves every login here.
   */
  async function rpOf(stateless: boolean) {
    const rp = relyingParty({ returnUrl: RETURN_URL, realm: REALM, stateless, extensions: SREG() });
    return { rp, url: await rp.start(`${app.config.PUBLIC_URL}/c/acme/`) };
  }
  type Rp = Awaited<ReturnType<typeof rpOf>>;

  /** Steps 1-2: a new browser follows the RP's checkid URL to us. */
  async function checkid({ url }: Rp) {
    const browser = new Browser();
    let hop: Awaited<ReturnType<Browser['get']>> | undefined;
    const statements = await statementsOf(async () => (hop = await browser.get(url)));
    expect(hop!.status).toBe(302);
    return { browser, statements, requestId: new URL(hop!.location!).searchParams.get('request_id')! };
  }

  /** A whole login, not counted: it reads the customer and the shared association into the caches. */
  async function warmUp(rp: Rp) {
    const { browser, requestId } = await checkid(rp);
    expect((await postback(app, 'acme', fields(requestId, true))).status).toBe(200);
    const back = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    expect(await rp.rp.verify(back.location!)).toMatchObject({ authenticated: true });
  }

  it('shared association, no_prompt: checkid, postback and return are one statement each', async () => {
    const rp = await rpOf(false);
    await warmUp(rp);
    const { browser, statements: begin, requestId } = await checkid(rp);
    expect(begin).toEqual([expect.stringMatching(/^select ids_flow_begin\(/)]);

    const posted = await statementsOf(async () => expect((await postback(app, 'acme', fields(requestId, true))).status).toBe(200));
    expect(posted).toEqual([expect.stringMatching(/^select outcome, auth_request_id, person_key_id, profile_id, wrapped from ids_flow_postback\(/)]);

    let location = '';
    const back = await statementsOf(async () => (location = (await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`)).location!));
    expect(back).toEqual([expect.stringMatching(/^select step as "step", .* from ids_flow_return\(/s)]);
    expect(await rp.rp.verify(location)).toMatchObject({ authenticated: true, email: 'alice@example.com' });
  });

  it('with the consent page: the return and the consent form are one statement each', async () => {
    const rp = await rpOf(false);
    await warmUp(rp);
    const { browser, requestId } = await checkid(rp);
    expect((await postback(app, 'acme', fields(requestId, false))).status).toBe(200);
    let html = '';
    const shown = await statementsOf(async () => (html = (await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`)).body));
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/ids_flow_return\(/);
    const form = consentForm(html);
    let location = '';
    const decided = await statementsOf(async () => {
      location = (
        await browser.postForm(`${app.url}/c/acme/ows_consent`, [
          ['auth_request', form.authRequest],
          ['csrf', form.csrf],
          ['decision', 'allow'],
          ['share', 'email'],
        ])
      ).location!;
    });
    expect(decided).toHaveLength(1);
    expect(decided[0]).toMatch(/ids_flow_consent\(/);
    expect(await rp.rp.verify(location)).toMatchObject({ authenticated: true, email: 'alice@example.com' });
  });

  it('stateless: the return also stores the private association, and check_authentication is three statements', async () => {
    const rp = await rpOf(true);
    await warmUp(rp);
    const { browser, statements: begin, requestId } = await checkid(rp);
    expect(begin).toHaveLength(1);
    expect((await postback(app, 'acme', fields(requestId, true))).status).toBe(200);
    let location = '';
    const back = await statementsOf(async () => (location = (await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`)).location!));
    expect(back.map((s) => /ids_\w+/.exec(s)?.[0])).toEqual(['ids_flow_return', 'ids_association_save']);
    // npm openid verifies the stateless answer with check_authentication, a direct request to us.
    let result: Record<string, unknown> = {};
    const verified = await statementsOf(async () => (result = await rp.rp.verify(location)));
    expect(verified.map((s) => /ids_\w+/.exec(s)?.[0])).toEqual(['ids_association_find', 'ids_association_delete', 'ids_nonce_mark_used']);
    expect(result).toMatchObject({ authenticated: true });
  });

  it('writes only transitions of the state table (auth-request.state.ts), whichever way a login ends', async () => {
    const rp = await rpOf(false);
    await warmUp(rp);
    const cancelled = await checkid(rp);
    expect((await postback(app, 'acme', { request_id: cancelled.requestId, api_key: apiKey, cancel: 'true' })).status).toBe(200);
    expect((await cancelled.browser.get(`${app.url}/c/acme/ows_return?request_id=${cancelled.requestId}`)).status).toBe(302);
    const declined = await checkid(rp);
    expect((await postback(app, 'acme', fields(declined.requestId, false))).status).toBe(200);
    const form = consentForm((await declined.browser.get(`${app.url}/c/acme/ows_return?request_id=${declined.requestId}`)).body);
    const answer = await declined.browser.postForm(`${app.url}/c/acme/ows_consent`, [
      ['auth_request', form.authRequest],
      ['csrf', form.csrf],
      ['decision', 'deny'],
    ]);
    expect(answer.status).toBe(302);
    const abandoned = await checkid(rp);
    expect((await abandoned.browser.get(`${app.url}/c/acme/ows_return?request_id=${abandoned.requestId}`)).status).toBe(302);

    const rows: Array<{ event: string; from_status: string | null; to_status: string }> = await ownerSql('select event, from_status, to_status from auth_request_transition');
    const moves = rows.filter((r) => r.from_status !== null);
    expect(new Set(moves.map((r) => r.event))).toEqual(new Set(['POSTBACK_USER', 'POSTBACK_CANCEL', 'SHOW_CONSENT', 'COMPLETE']));
    for (const row of moves) {
      const rule = TRANSITIONS[row.event as AuthRequestEvent];
      expect(rule).toBeDefined();
      expect(rule.from).toContain(row.from_status as AuthRequestStatus);
      expect(rule.to).toBe(row.to_status);
    }
    // Creation rows (return_to verification, hand-off) start every request in AWAITING_AW.
    for (const row of rows.filter((r) => r.from_status === null)) expect(row.to_status).toBe(AuthRequestStatus.AWAITING_AW);
  });

  it('a privacy center sign-in: the start, the postback and the return are one statement each, writing only transitions of the state table', async () => {
    await ownerSql(`update customer set privacy_center = '{"isEnabled": true}'::jsonb where slug = 'acme'`);
    await changesDelivered(app);
    const start = async () => {
      const browser = new Browser();
      let location = '';
      const statements = await statementsOf(async () => (location = (await browser.get(`${app.url}/c/acme/account/sign-in`)).location!));
      return { browser, statements, requestId: new URL(location).searchParams.get('request_id')! };
    };
    // Not counted: a whole sign-in reads the customer into the cache and makes its key and alice's.
    const warm = await start();
    expect((await postback(app, 'acme', fields(warm.requestId, false))).status).toBe(200);
    expect((await warm.browser.get(`${app.url}/c/acme/ows_return?request_id=${warm.requestId}`)).status).toBe(200);
    const { browser, statements: begin, requestId } = await start();
    expect(begin).toEqual([expect.stringMatching(/^select ids_flow_begin\(/)]);
    const posted = await statementsOf(async () => expect((await postback(app, 'acme', fields(requestId, false))).status).toBe(200));
    expect(posted).toHaveLength(1);
    let status = 0;
    const back = await statementsOf(async () => (status = (await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`)).status));
    expect(status).toBe(200);
    expect(back).toEqual([expect.stringMatching(/^select step as "step", .* from ids_flow_return\(/s)]);
    const rows: Array<{ event: string; from_status: string | null; to_status: string }> = await ownerSql(
      'select t.event, t.from_status, t.to_status from auth_request_transition t join auth_request r on r.id = t.auth_request_id where r.request_id_hash = encode(sha256(?::bytea), \'hex\') order by t.at, t.id',
      [requestId],
    );
    expect(rows.map((r) => r.event)).toEqual(['VERIFY_RETURN_TO', 'HANDOFF', 'POSTBACK_USER', 'COMPLETE']);
    for (const row of rows.filter((r) => r.from_status !== null)) {
      const rule = TRANSITIONS[row.event as AuthRequestEvent];
      expect(rule.from).toContain(row.from_status as AuthRequestStatus);
      expect(rule.to).toBe(row.to_status);
    }
  });

  it('associate: a live count before the Diffie-Hellman exchange and one insert under the quota lock', async () => {
    const [provider] = await discover(`${app.config.PUBLIC_URL}/c/acme/`);
    let association: Record<string, string> = {};
    const statements = await statementsOf(async () => (association = await associate(provider!, 'DH-SHA256')));
    expect(statements.map((s) => /ids_\w+/.exec(s)?.[0])).toEqual(['ids_association_live_count', 'ids_association_save_shared']);
    expect(association.assoc_handle).toMatch(/^\{HMAC-SHA256\}/);
  });
});
