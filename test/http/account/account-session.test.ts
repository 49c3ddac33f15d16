import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { App } from '../../../src/app';
import { accountCsrfToken } from '../../../src/http/account/account-csrf';
import { changesDelivered, createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { enablePrivacyCenter, sameOrigin, signInToAccount } from '../../support/account';
import { SteppedClock } from '../../support/clock';
import { TEST_REDIS_URL, testQueuePrefix } from '../../support/env';
import { Browser } from '../../support/flow';

const PREFIX = `${testQueuePrefix()}-account-session-${randomUUID().slice(0, 8)}`;
const IDLE_SECONDS = 900;
const MAX_SECONDS = 3600;

/** The privacy center's session (issue 22): idle and absolute expiry, sign-out, its reach, what Redis holds. */
describe('privacy center sessions (/c/{slug}/account)', () => {
  let app: App;
  let redis: Redis;
  let apiKey: string;
  let customerId: string;
  const clock = new SteppedClock();

  beforeAll(async () => {
    app = await startPublicTestApp(
      {
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        QUEUE_PREFIX: PREFIX,
        ACCOUNT_SESSION_IDLE_SECONDS: String(IDLE_SECONDS),
        ACCOUNT_SESSION_MAX_SECONDS: String(MAX_SECONDS),
        // Every test here starts sign-ins from one address (the limit: account-sign-in.test.ts).
        RATE_LIMIT_ACCOUNT_SIGN_IN_PER_ADDRESS: '1000',
      },
      { clock },
    );
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await app?.stop();
  });
  beforeEach(async () => {
    clock.reset();
    await resetDatabase();
    const created = await createTestCustomer(app, 'acme', { verifyUrl: 'https://aw.example.com/verify?lang=en' });
    ({ apiKey } = created);
    customerId = created.customer.id;
    await enablePrivacyCenter(app, 'acme');
    const left = await sessionKeys();
    if (left.length > 0) await redis.del(...left);
  });

  const account = (slug = 'acme') => `${app.url}/c/${slug}/account`;
  const sessionKeys = () => redis.keys(`${PREFIX}:account-session:*`);
  const sessionKeyOf = (id: string) => `${PREFIX}:account-session:${createHash('sha256').update(id).digest('hex')}`;

  it('ends a session left unused for the idle timeout, extends one in use, and ends every session at its absolute limit', async () => {
    const idle = await signInToAccount(app, 'acme', apiKey);
    const used = await signInToAccount(app, 'acme', apiKey);
    const isSignedIn = async (browser: Browser) => !(await browser.get(account())).body.includes('/c/acme/account/sign-in');
    for (let minutes = 0; minutes < 40; minutes += 10) {
      clock.advance(10 * 60 * 1000);
      expect(await isSignedIn(used.browser)).toBe(true);
    }
    expect(await isSignedIn(idle.browser)).toBe(false);
    expect(await redis.exists(sessionKeyOf(idle.sessionId))).toBe(0);
    expect(await redis.pttl(sessionKeyOf(used.sessionId))).toBeLessThanOrEqual(IDLE_SECONDS * 1000);
    // 40 minutes in, used every 10: the absolute limit (60 minutes after sign-in) ends it all the same.
    clock.advance(10 * 60 * 1000);
    expect(await isSignedIn(used.browser)).toBe(true);
    clock.advance(10 * 60 * 1000 + 1000);
    expect(await isSignedIn(used.browser)).toBe(false);
    expect(await sessionKeys()).toHaveLength(0);
  });

  it('signs out only on a same-origin form carrying the session\'s CSRF token', async () => {
    const { browser, sessionId } = await signInToAccount(app, 'acme', apiKey);
    const csrf = accountCsrfToken(app.config.SECRET_KEYS, sessionId);
    const signOut = (fields: Array<[string, string]>, headers: Record<string, string>) => browser.postForm(`${account()}/sign-out`, fields, headers);
    const refusals = [
      await signOut([['csrf', csrf]], { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }),
      await signOut([['csrf', csrf]], { 'sec-fetch-site': 'same-site' }),
      await signOut([['csrf', csrf]], { origin: 'https://evil.example' }),
      await signOut([['csrf', csrf]], {}),
      await signOut([], sameOrigin(app)),
      await signOut([['csrf', 'x'.repeat(43)]], sameOrigin(app)),
      await signOut([['csrf', accountCsrfToken(app.config.SECRET_KEYS, 'another-session')]], sameOrigin(app)),
      await signOut([['csrf', csrf], ['csrf', csrf]], sameOrigin(app)),
    ];
    expect(refusals.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403, 403, 403]);
    expect(await redis.exists(sessionKeyOf(sessionId))).toBe(1);
    expect(browser.cookie('ids_account')).toBe(sessionId);

    const done = await signOut([['csrf', csrf]], sameOrigin(app));
    expect(done.status).toBe(303);
    expect(done.location).toBe('/c/acme/account');
    expect(done.headers.getSetCookie().find((l) => l.startsWith('ids_account='))).toMatch(/^ids_account=; Path=\/c\/acme\/account; Expires=Thu, 01 Jan 1970/);
    expect(await redis.exists(sessionKeyOf(sessionId))).toBe(0);
    // The old cookie, sent again, opens nothing.
    browser.setCookie('ids_account', sessionId);
    expect((await browser.get(account())).body).toContain('/c/acme/account/sign-in');
    expect((await signOut([['csrf', csrf]], sameOrigin(app))).status).toBe(401);
  });

  it('a session of one customer is nothing at another customer\'s center', async () => {
    await createTestCustomer(app, 'globex');
    await enablePrivacyCenter(app, 'globex');
    const { browser, sessionId } = await signInToAccount(app, 'acme', apiKey);
    expect((await browser.get(account('globex'))).body).toContain('/c/globex/account/sign-in');
    const refused = await browser.postForm(`${account('globex')}/sign-out`, [['csrf', accountCsrfToken(app.config.SECRET_KEYS, sessionId)]], sameOrigin(app));
    expect(refused.status).toBe(401);
    expect(refused.body).toContain('href="/c/globex/account"');
    expect(await redis.exists(sessionKeyOf(sessionId))).toBe(1);
    // And a customer's own session stops counting once its center is closed.
    await ownerSql(`update customer set privacy_center = '{}'::jsonb where slug = 'acme'`);
    await changesDelivered(app);
    expect((await browser.get(account())).status).toBe(404);
  });

  it('keeps in Redis only a hash of the session id with the profile id, never the username or the id itself', async () => {
    const { sessionId } = await signInToAccount(app, 'acme', apiKey, 'alice-liddell', { sreg_email: 'alice@example.com', sreg_fullname: 'Alice Liddell' });
    const keys = await sessionKeys();
    expect(keys).toEqual([sessionKeyOf(sessionId)]);
    const values = await Promise.all(keys.map((key) => redis.get(key)));
    for (const value of values) {
      expect(value).not.toContain(sessionId);
      expect(value!.toLowerCase()).not.toContain('alice');
      expect(Object.keys(JSON.parse(value!)).sort()).toEqual(['createdAt', 'customerId', 'expiresAt', 'idleUntil', 'profileId', 'region', 'slug']);
      expect(JSON.parse(value!)).toMatchObject({ customerId, slug: 'acme', region: 'EU' });
    }
  });
});
