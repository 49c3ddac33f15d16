import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { App } from '../../../src/app';
import { OIDC_LOGIN_SQL } from '../../../bench/scenarios';
import { changesDelivered, createTestCustomer, resetDatabase, startPublicTestApp } from '../../support/app';
import { Browser, postback } from '../../support/flow';
import { REDIRECT_URI, registerRp } from '../../support/oidc-flow';

/**
 * Statements per step of an OpenID Connect sign-in (issue 19), the budget the bench's
 * login-oidc rows are judged on (bench/scenarios.ts OIDC_LOGIN_SQL). Counted as
 * test/http/identity-flow/statements.test.ts counts the OpenID 2.0 login's: every query any `pg`
 * client of this process sends while one step's HTTP request is in flight, after a first sign-in has
 * filled the caches (customer, client, signing keys, the person's key). A change that adds a
 * statement to a step fails here; speed stays a benchmark figure.
 */

const counted: string[] = [];
let counting = false;
const prototype = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const query = prototype.query;

function textOf(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  return String((arg as { text?: string } | undefined)?.text ?? '');
}

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

describe('statements per step of an OpenID Connect sign-in', () => {
  let app: App;
  let apiKey: string;
  let rp: { clientId: string; clientSecret: string | null };

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
    let customerId: string;
    ({ apiKey, customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
    rp = await registerRp(app, customerId, { scopes: ['openid', 'email'] });
    // The customer's and the client's notifications must not arrive in a counted step and empty a cache then.
    await changesDelivered(app);
  });

  /** One sign-in of alice (no_prompt=true, her email), each step's statements recorded; the token response's status. */
  async function signIn() {
    const browser = new Browser();
    const verifier = randomBytes(32).toString('base64url');
    const authorize = new URLSearchParams({
      client_id: rp.clientId,
      response_type: 'code',
      scope: 'openid email',
      redirect_uri: REDIRECT_URI,
      state: 'st',
      nonce: 'n',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    let location = '';
    const authorizeSql = await statementsOf(async () => (location = (await browser.get(`${app.url}/c/acme/oidc/authorize?${authorize}`)).location!));
    const requestId = new URL(location).searchParams.get('request_id')!;
    const fields = { request_id: requestId, api_key: apiKey, username: 'alice', no_prompt: 'true', sreg_email: 'alice@example.com' };
    const postbackSql = await statementsOf(async () => expect((await postback(app, 'acme', fields)).status).toBe(200));
    const returnSql = await statementsOf(async () => (location = (await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`)).location!));
    const code = new URL(location).searchParams.get('code')!;
    let status = 0;
    const tokenSql = await statementsOf(async () => {
      const res = await fetch(`${app.url}/c/acme/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${rp.clientId}:${rp.clientSecret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }).toString(),
      });
      status = res.status;
      await res.text();
    });
    return { authorizeSql, postbackSql, returnSql, tokenSql, status };
  }

  it('authorize, postback and return are one statement each; the code exchange is two', async () => {
    // As the bench's driver does: the JWKS read makes the customer's signing keys; their notification
    // drops the key cache once more, and a first sign-in fills every cache again.
    expect((await fetch(`${app.url}/c/acme/oidc/jwks`)).status).toBe(200);
    await changesDelivered(app);
    expect((await signIn()).status).toBe(200);
    const { authorizeSql, postbackSql, returnSql, tokenSql, status } = await signIn();
    expect(status).toBe(200);
    expect(authorizeSql).toEqual([expect.stringMatching(/^select ids_flow_begin\(/)]);
    expect(postbackSql).toEqual([expect.stringMatching(/ from ids_flow_postback\(/)]);
    expect(returnSql).toEqual([expect.stringMatching(/ from ids_flow_return\(/s)]);
    // The code exchange: the code read, then claimed with its tokens written (no ORM transaction around them).
    expect(tokenSql).toEqual([expect.stringMatching(/ from ids_oidc_code_find\(/), expect.stringMatching(/ from ids_oidc_code_claim\(/)]);
    expect([authorizeSql, postbackSql, returnSql, tokenSql].map((s) => s.length)).toEqual([
      OIDC_LOGIN_SQL.authorize,
      OIDC_LOGIN_SQL.postback,
      OIDC_LOGIN_SQL.return,
      OIDC_LOGIN_SQL.token,
    ]);
  });
});
