import { randomUUID } from 'node:crypto';
import { IdentityFlowService, FlowResult, PostbackRefusedError, hashRequestId } from '../../../src/identity-flow';
import { CustomerDirectory, hashApiKey, loadCustomerConfig } from '../../../src/customers';
import { IDENTIFIER_SELECT } from '../../../src/openid/constants';
import { SREG_FIELDS, type AuthRequestInput } from '../../../src/openid';
import type { LoginDecision, VerifiedReturnTo } from '../../../src/openid-provider';
import { createSqlPool, SqlPool } from '../../../src/db/sql-pool';
import { FixedClock } from '../../../src/shared/clock';
import { cryptoRandom } from '../../../src/shared/random';
import { createLogger } from '../../../src/shared/logger';
import { ownerSql, resetDatabase } from '../../support/app';
import { testAppDatabaseUrl, TEST_SECRET_KEY } from '../../support/env';
import { keyRing } from '../../support/secret-keys';
import { testConfig } from '../../support/config';
import { KeyRing, LocalKeyProvider } from '../../../src/keys';

/**
 * The delegated login flow as a service (docs/protocol.md#flow, steps 2 to 8), driven directly against
 * real PostgreSQL with a fixed clock and no HTTP: each rule is stated by the result kind or the
 * refusal code the flow gives, not by a status or a page.
 */

const TTL_SECONDS = 600;
const SLUG = 'acme';
const API_KEY = 'ids_service-level-test-key-0123456789abcdefghijkl';
const REQUEST: AuthRequestInput = {
  mode: 'checkid_setup',
  claimedId: IDENTIFIER_SELECT,
  identity: IDENTIFIER_SELECT,
  isIdentifierSelect: true,
  returnTo: 'http://rp.example.org/finish?sid=7',
  realm: 'http://rp.example.org/',
  sreg: { namespace: 'http://openid.net/extensions/sreg/1.1', required: ['email'], optional: ['nickname'] },
};

describe('the login flow as a service', () => {
  let pool: SqlPool;
  let flow: IdentityFlowService;
  let directory: CustomerDirectory;
  const clock = new FixedClock(new Date('2026-06-01T10:00:00Z'));

  beforeAll(() => {
    pool = createSqlPool(testAppDatabaseUrl(), 4, 10_000, createLogger('silent'));
    directory = new CustomerDirectory((slug) => loadCustomerConfig(pool, slug), clock, { maxAgeMs: 60_000, maxEntries: 10 });
    flow = new IdentityFlowService({
      pool,
      clock,
      random: cryptoRandom,
      customers: directory,
      // No OAuth client exists, so the step stores no code: any well-formed one will do.
      loginCodes: { prepare: () => ({ code: 'unused', id: randomUUID(), hash: 'x'.repeat(64), expiresAt: new Date(clock.now().getTime() + 60_000) }) },
      subjectHash: (customerId, username) => `${customerId}:${username}`,
      keys: new KeyRing({ pool, provider: new LocalKeyProvider(testConfig().MASTER_KEYS), clock, cacheSeconds: 60 }),
      settings: { publicUrl: 'https://ids.example.com', secretKeys: keyRing(['v1', TEST_SECRET_KEY]), authRequestTtlSeconds: TTL_SECONDS },
      log: createLogger('silent'),
    });
  });
  afterAll(() => pool.end());
  beforeEach(async () => {
    clock.set(new Date('2026-06-01T10:00:00Z'));
    directory.invalidateAll();
    await resetDatabase();
    const customerId = randomUUID();
    const now = clock.now();
    await ownerSql(
      `insert into customer (id, slug, name, verify_url, region, prompt_policy, trusted_realms, return_to_verification, created_at, updated_at)
       values (?, ?, 'Acme Inc.', 'https://aw.example.com/verify', 'EU', 'PROMPT', '{}', 'OFF', ?, ?)`,
      [customerId, SLUG, now, now],
    );
    await ownerSql(`insert into customer_api_key (id, customer_id, key_hash, created_at) values (?, ?, ?, ?)`, [randomUUID(), customerId, hashApiKey(API_KEY), now]);
  });

  const skipped = (): VerifiedReturnTo => ({ status: 'SKIPPED', reason: null, checkedAt: clock.now() });

  /** Step 2: the request is stored and the browser sent to the Verify URL with a binding cookie. */
  async function begin(input: AuthRequestInput = REQUEST) {
    const customer = (await directory.bySlug(SLUG))!;
    const decision: LoginDecision = await flow.begin(customer, input, skipped());
    if (decision.kind !== 'redirect') throw new Error(`expected the hand-off, got ${decision.kind}`);
    const requestId = new URL(decision.location).searchParams.get('request_id')!;
    const cookie = decision.cookies![0]!.value;
    return { requestId, cookie, location: decision.location };
  }

  const alice = (requestId: string, extra: Record<string, string> = {}): Array<[string, string]> =>
    Object.entries({ request_id: requestId, api_key: API_KEY, username: 'alice', sreg_email: 'alice@example.com', sreg_nickname: 'alice', ...extra });

  /** The refusal code of a postback the flow refuses; fails when it is accepted or throws anything else. */
  async function refusalOf(pairs: Array<[string, string]>): Promise<{ code: string; parameter: string | null }> {
    try {
      await flow.postback(SLUG, pairs);
    } catch (err) {
      if (err instanceof PostbackRefusedError) return { code: err.code, parameter: err.parameter };
      throw err;
    }
    throw new Error('expected the postback to be refused');
  }

  async function statusOf(requestId: string): Promise<string> {
    const [row] = await ownerSql(`select status from auth_request where request_id_hash = ?`, [hashRequestId(requestId)]);
    return (row as { status: string }).status;
  }

  it('hands off, then an accepted no_prompt postback makes the return an assertion for the user who signed in', async () => {
    const { requestId, cookie, location } = await begin();
    expect(new URL(location).origin).toBe('https://aw.example.com');
    expect(await flow.postback(SLUG, alice(requestId, { no_prompt: 'true' }))).toMatchObject({ kind: 'accepted' });
    const result = await flow.returnFromAw(SLUG, requestId, cookie);
    expect(result.kind).toBe('assert');
    const { customer, request, outcome } = result as Extract<FlowResult, { kind: 'assert' }>;
    expect(customer.slug).toBe(SLUG);
    expect(request).toEqual(REQUEST);
    expect(outcome).toMatchObject({ username: 'alice', supplied: { email: 'alice@example.com', nickname: 'alice' } });
    // No consent was asked, so nothing is withheld: the OP releases what the RP requested of it (openid/ releasableFields).
    expect([...outcome.granted].sort()).toEqual([...SREG_FIELDS].sort());
    expect(await statusOf(requestId)).toBe('COMPLETED');
  });

  it('takes an identical retried postback as repeated, writing nothing again', async () => {
    const { requestId } = await begin();
    expect(await flow.postback(SLUG, alice(requestId, { no_prompt: 'true' }))).toMatchObject({ kind: 'accepted' });
    expect(await flow.postback(SLUG, alice(requestId, { no_prompt: 'true' }))).toMatchObject({ kind: 'repeated' });
  });

  it('shows consent without no_prompt, then asserts only the fields the user shared', async () => {
    const { requestId, cookie } = await begin();
    await flow.postback(SLUG, alice(requestId, { no_prompt: 'false' }));
    const page = await flow.returnFromAw(SLUG, requestId, cookie);
    if (page.kind !== 'consent') throw new Error(`expected the consent page, got ${page.kind}`);
    expect(page.view.attributes.map((a) => a.field).sort()).toEqual(['email', 'nickname']);
    expect(page.view.identity).toBe('https://ids.example.com/c/acme/id/alice');
    const form = { authRequestId: page.view.authRequestId, csrf: page.view.csrf, share: ['email'], remember: false };
    const result = await flow.decideConsent(SLUG, { ...form, decision: 'allow' }, cookie);
    expect(result.kind).toBe('assert');
    expect((result as Extract<FlowResult, { kind: 'assert' }>).outcome.granted).toEqual(['email']);
    // The consent is spent: the same form again is refused, and so is a second return.
    expect(await flow.decideConsent(SLUG, { ...form, decision: 'allow' }, cookie)).toEqual({ kind: 'refused', code: 'ALREADY_ANSWERED' });
    expect(await flow.returnFromAw(SLUG, requestId, cookie)).toEqual({ kind: 'refused', code: 'ALREADY_COMPLETED' });
  });

  it('answers a denied consent with a cancel, and a consent form without a decision with INVALID_DECISION', async () => {
    const { requestId, cookie } = await begin();
    await flow.postback(SLUG, alice(requestId));
    const page = await flow.returnFromAw(SLUG, requestId, cookie);
    if (page.kind !== 'consent') throw new Error(`expected the consent page, got ${page.kind}`);
    const form = { authRequestId: page.view.authRequestId, csrf: page.view.csrf, share: [], remember: false };
    expect(await flow.decideConsent(SLUG, { ...form, decision: undefined }, cookie)).toEqual({ kind: 'refused', code: 'INVALID_DECISION' });
    expect(await flow.decideConsent(SLUG, { ...form, decision: 'deny' }, cookie)).toEqual({ kind: 'cancel', request: REQUEST });
  });

  it("answers the AW's cancel with a cancel for the RP", async () => {
    const { requestId, cookie } = await begin();
    expect(await flow.postback(SLUG, [['request_id', requestId], ['api_key', API_KEY], ['cancel', 'true']])).toMatchObject({ kind: 'accepted' });
    expect(await statusOf(requestId)).toBe('CANCELLED');
    expect(await flow.returnFromAw(SLUG, requestId, cookie)).toEqual({ kind: 'cancel', request: REQUEST });
    expect(await statusOf(requestId)).toBe('COMPLETED');
  });

  it('refuses a second postback naming another user with ALREADY_POSTED, and keeps the first', async () => {
    const { requestId, cookie } = await begin();
    await flow.postback(SLUG, alice(requestId, { no_prompt: 'true' }));
    expect(await refusalOf(alice(requestId, { no_prompt: 'true', username: 'mallory' }))).toEqual({ code: 'ALREADY_POSTED', parameter: null });
    const result = await flow.returnFromAw(SLUG, requestId, cookie);
    expect((result as Extract<FlowResult, { kind: 'assert' }>).outcome.username).toBe('alice');
  });

  it('refuses a wrong or missing API key with INVALID_API_KEY before saying anything about the request', async () => {
    const { requestId } = await begin();
    expect(await refusalOf(alice(requestId, { api_key: 'ids_wrong' }))).toEqual({ code: 'INVALID_API_KEY', parameter: null });
    expect(await refusalOf(alice('no-such-request', { api_key: 'ids_wrong' }))).toEqual({ code: 'INVALID_API_KEY', parameter: null });
    expect(await refusalOf([['request_id', requestId]])).toEqual({ code: 'INVALID_API_KEY', parameter: null });
    // With the right key, the unknown request is named as such, and the real one still awaits its postback.
    expect(await refusalOf(alice('no-such-request'))).toEqual({ code: 'UNKNOWN_REQUEST', parameter: null });
    expect(await statusOf(requestId)).toBe('AWAITING_AW');
  });

  it('refuses invalid content by code and parameter, after the request checks', async () => {
    const { requestId } = await begin();
    expect(await refusalOf(alice(requestId, { auth_time: 'yesterday' }))).toEqual({ code: 'INVALID_PARAMETER', parameter: 'auth_time' });
    expect(await refusalOf(alice(requestId, { cancel: 'true' }))).toEqual({ code: 'USERNAME_AND_CANCEL', parameter: null });
    expect(await refusalOf(alice('no-such-request', { auth_time: 'yesterday' }))).toEqual({ code: 'UNKNOWN_REQUEST', parameter: null });
  });

  it('expires a request whose time ran out: the postback is refused with REQUEST_EXPIRED, the return too', async () => {
    const { requestId, cookie } = await begin();
    clock.advance(TTL_SECONDS * 1000);
    expect(await refusalOf(alice(requestId, { no_prompt: 'true' }))).toEqual({ code: 'REQUEST_EXPIRED', parameter: null });
    expect(await statusOf(requestId)).toBe('EXPIRED');
    expect(await flow.returnFromAw(SLUG, requestId, cookie)).toEqual({ kind: 'refused', code: 'REQUEST_EXPIRED' });
  });

  it('accepts a postback just before expiry, and refuses the return that comes after it', async () => {
    const { requestId, cookie } = await begin();
    clock.advance(TTL_SECONDS * 1000 - 1);
    expect(await flow.postback(SLUG, alice(requestId, { no_prompt: 'true' }))).toMatchObject({ kind: 'accepted' });
    clock.advance(1);
    expect(await flow.returnFromAw(SLUG, requestId, cookie)).toEqual({ kind: 'refused', code: 'REQUEST_EXPIRED' });
  });

  it('refuses a return from another browser, or with nothing to name the request', async () => {
    const { requestId, cookie } = await begin();
    const other = await begin();
    await flow.postback(SLUG, alice(requestId, { no_prompt: 'true' }));
    expect(await flow.returnFromAw(SLUG, requestId, other.cookie)).toEqual({ kind: 'refused', code: 'FOREIGN_BROWSER' });
    expect(await flow.returnFromAw(SLUG, requestId, undefined)).toEqual({ kind: 'refused', code: 'FOREIGN_BROWSER' });
    expect(await flow.returnFromAw(SLUG, null, undefined)).toEqual({ kind: 'refused', code: 'UNKNOWN_REQUEST' });
    expect(await flow.returnFromAw('nobody', requestId, cookie)).toEqual({ kind: 'refused', code: 'NO_SERVICE' });
    // The rightful browser still completes it.
    expect((await flow.returnFromAw(SLUG, requestId, cookie)).kind).toBe('assert');
  });

  it('answers checkid_immediate with setup_needed, storing nothing', async () => {
    const customer = (await directory.bySlug(SLUG))!;
    expect(await flow.begin(customer, { ...REQUEST, mode: 'checkid_immediate' }, skipped())).toEqual({ kind: 'setup_needed' });
    expect(await ownerSql('select id from auth_request')).toEqual([]);
  });
});
