import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { enablePrivacyCenter, signInToAccount, startAccountSignIn } from '../../support/account';
import { TEST_REDIS_URL, testQueuePrefix } from '../../support/env';
import { Browser, postback } from '../../support/flow';

/** The privacy center sign-in's limits (issue 22): per address, at one customer and across customers, and per person. */
describe('privacy center sign-in rate limit', () => {
  let app: App;
  const slug = `rl${randomUUID().slice(0, 8)}`;
  const other = `${slug}o`;

  beforeAll(async () => {
    app = await startPublicTestApp({
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      QUEUE_PREFIX: `${testQueuePrefix()}-account-rl-${randomUUID().slice(0, 8)}`,
      RATE_LIMIT_ACCOUNT_SIGN_IN_PER_ADDRESS: '2',
      // The second test names its own address (X-Forwarded-For), apart from the first's.
      TRUST_PROXY: 'true',
    });
    await resetDatabase();
    await createTestCustomer(app, slug);
    await enablePrivacyCenter(app, slug);
    await createTestCustomer(app, other);
    await enablePrivacyCenter(app, other);
  }, 60_000);
  afterAll(() => app?.stop());

  it('answers 429 with Retry-After past RATE_LIMIT_ACCOUNT_SIGN_IN_PER_ADDRESS, and starts nothing more', async () => {
    const start = (at = slug) => new Browser().get(`${app.url}/c/${at}/account/sign-in`);
    expect((await start()).status).toBe(302);
    expect((await start()).status).toBe(302);
    const refused = await start();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await ownerSql('select id from auth_request')).toHaveLength(2);
  });

  it('counts one address across customers: past the limit at one, the address is refused at every other (known or not)', async () => {
    const address = { 'x-forwarded-for': '203.0.113.7' };
    const start = (at: string) => new Browser().get(`${app.url}/c/${at}/account/sign-in`, address);
    const before = (await ownerSql('select id from auth_request')).length;
    expect((await start(`${slug}x`)).status).toBe(404);
    expect((await start(other)).status).toBe(302);
    expect((await start(slug)).status).toBe(429);
    expect((await start(other)).status).toBe(429);
    expect(await ownerSql('select id from auth_request')).toHaveLength(before + 1);
  });
});

describe('privacy center sign-in limit per person', () => {
  let app: App;
  let apiKey: string;
  let redis: Redis;
  const prefix = `${testQueuePrefix()}-account-rlp-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    app = await startPublicTestApp({
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      QUEUE_PREFIX: prefix,
      RATE_LIMIT_ACCOUNT_SIGN_IN_PER_ADDRESS: '1000',
      RATE_LIMIT_ACCOUNT_SIGN_IN_PER_PROFILE: '2',
    });
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    await resetDatabase();
    ({ apiKey } = await createTestCustomer(app, 'acme'));
    await enablePrivacyCenter(app, 'acme');
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await app?.stop();
  });

  it('opens no session past RATE_LIMIT_ACCOUNT_SIGN_IN_PER_PROFILE sign-ins of one person in an hour (429 page); other people still sign in', async () => {
    await signInToAccount(app, 'acme', apiKey, 'alice');
    await signInToAccount(app, 'acme', apiKey, 'alice');
    const { browser, requestId } = await startAccountSignIn(app, 'acme');
    await postback(app, 'acme', { request_id: requestId, api_key: apiKey, username: 'alice' });
    const back = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    expect(back.status).toBe(429);
    expect(Number(back.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(back.body).toContain('Too many sign-in attempts.');
    expect(browser.cookie('ids_account')).toBeUndefined();
    expect(await redis.keys(`${prefix}:account-session:*`)).toHaveLength(2);
    await signInToAccount(app, 'acme', apiKey, 'bob');
    expect(await redis.keys(`${prefix}:account-session:*`)).toHaveLength(3);
  });
});
