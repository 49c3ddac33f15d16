import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { App } from '../../../src/app';
import { accountCsrfToken } from '../../../src/http/account/account-csrf';
import { resetDatabase, startPublicTestApp } from '../../support/app';
import { sameOrigin } from '../../support/account';
import { TEST_REDIS_URL, testQueuePrefix } from '../../support/env';
import { Browser, postback } from '../../support/flow';
import { graphql } from '../../support/graphql';
import { asOwnerOf, regionDatabases, RegionDatabase } from '../../support/regions';
import { waitUntil } from '../../support/wait';
import { CHANGES_CHANNEL } from '../../../src/db/change-feed';

const REGIONS = ['EU', 'NA'] as const;
const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { apiKey customer { id slug region } } }`;
const PREFIX = `${testQueuePrefix()}-account-regions-${randomUUID().slice(0, 8)}`;

/** Resolves once `cell` has received every change notification its database committed before the call (as support/app.ts changesDelivered). */
async function changesDelivered(cell: App['regions'][number], ownerUrl: string): Promise<void> {
  const marker = `test-marker:${randomUUID()}`;
  let seen = false;
  const stop = cell.changes.subscribe((change) => {
    if (change === marker) seen = true;
  });
  try {
    await asOwnerOf(ownerUrl, 'select pg_notify($1, $2)', [CHANGES_CHANNEL, marker]);
    await waitUntil(`region ${cell.region} to receive a marker notification`, () => seen);
  } finally {
    stop();
  }
}

/**
 * The privacy center in a two-region deployment (issue 18's region router): a customer's center is
 * served by the region holding its data, which writes the sign-in there, while every session lives in
 * the home region's Redis, naming the region it was begun for.
 */
describe('the privacy center across regions', () => {
  let app: App;
  let redis: Redis;
  let databases: RegionDatabase[];
  let drop: () => Promise<void>;
  const shops: Record<string, { apiKey: string; slug: string }> = {};

  beforeAll(async () => {
    let env: Record<string, string>;
    // The home region's database is this worker's own: empty it of what earlier files left there.
    await resetDatabase();
    ({ databases, env, drop } = await regionDatabases(REGIONS));
    app = await startPublicTestApp({ ...env, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', QUEUE_PREFIX: PREFIX });
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    for (const [i, region] of REGIONS.entries()) {
      const slug = `center-${region.toLowerCase()}`;
      const res = await graphql<{ createCustomer: { apiKey: string } }>(app.url!, CREATE, { input: { slug, name: `Shop ${region}`, verifyUrl: 'http://127.0.0.1:9/verify', region } });
      expect(res.errors).toBeUndefined();
      shops[region] = { apiKey: res.data!.createCustomer.apiKey, slug };
      await asOwnerOf(databases[i]!.owner, `update customer set privacy_center = '{"isEnabled": true}'::jsonb where slug = $1`, [slug]);
      await changesDelivered(app.regions[i]!, databases[i]!.owner);
    }
  }, 120_000);
  afterAll(async () => {
    redis?.disconnect();
    await app?.stop();
    await drop?.();
  });

  it('signs a person of a non-home region\'s customer in there, with the session in the home region\'s Redis', async () => {
    const { slug, apiKey } = shops.NA!;
    const browser = new Browser();
    const hop = await browser.get(`${app.url}/c/${slug}/account/sign-in`);
    expect(hop.status).toBe(302);
    const requestId = new URL(hop.location!).searchParams.get('request_id')!;
    expect((await postback(app, slug, { request_id: requestId, api_key: apiKey, username: 'nadia' })).status).toBe(200);
    const back = await browser.get(`${app.url}/c/${slug}/ows_return?request_id=${requestId}`);
    expect(back.status).toBe(200);
    const sessionId = browser.cookie('ids_account')!;
    expect(sessionId).toBeDefined();

    const [eu, na] = databases;
    expect(await asOwnerOf(na!.owner, `select mode, status from auth_request`)).toEqual([{ mode: 'account', status: 'COMPLETED' }]);
    expect(await asOwnerOf(eu!.owner, `select mode from auth_request`)).toEqual([]);
    const [profile] = await asOwnerOf(na!.owner, `select id from profile`);
    const keys = await redis.keys(`${PREFIX}*:account-session:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^${PREFIX}-eu:account-session:`, 'i'));
    expect(JSON.parse((await redis.get(keys[0]!))!)).toMatchObject({ slug, region: 'NA', profileId: profile!.id });

    // Served by the customer's region, the session counts there, and at the home region's customer not at all.
    expect((await browser.get(`${app.url}/c/${slug}/account`)).body).not.toContain(`/c/${slug}/account/sign-in`);
    expect((await browser.get(`${app.url}/c/${shops.EU!.slug}/account`)).body).toContain(`/c/${shops.EU!.slug}/account/sign-in`);
    const out = await browser.postForm(`${app.url}/c/${slug}/account/sign-out`, [['csrf', accountCsrfToken(app.config.SECRET_KEYS, sessionId)]], sameOrigin(app));
    expect(out.status).toBe(303);
    expect(await redis.keys(`${PREFIX}*:account-session:*`)).toEqual([]);
  });
});
