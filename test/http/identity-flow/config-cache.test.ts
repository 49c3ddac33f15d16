import { App } from '../../../src/app';
import { PLATFORM } from '../../../src/shared/tenant';
import { asOwner, createTestCustomer, inContext, resetDatabase, startPublicTestApp } from '../../support/app';
import { Browser, postback, REALM, RETURN_URL } from '../../support/flow';
import { relyingParty } from '../../support/rp';
import { waitUntil } from '../../support/wait';

/**
 * Two instances on one database (issue 15): each caches customers in its process; a change made
 * through one reaches the other's cache through PostgreSQL notifications, within a second. The
 * caches' own maximum age is an hour here, so only the notification can make these tests pass.
 */

/** How long a change may take to reach the other instance. */
const WITHIN_MS = 1000;

describe('customer configuration cached in two instances', () => {
  let a: App;
  let b: App;
  let customerId: string;
  let apiKey: string;

  beforeAll(async () => {
    const settings = { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', CONFIG_CACHE_MAX_AGE_SECONDS: '3600' };
    a = await startPublicTestApp(settings);
    b = await startPublicTestApp(settings);
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
    ({ apiKey, customer: { id: customerId } } = await createTestCustomer(a, 'acme', { verifyUrl: 'https://aw.example.com/v1' }));
  });

  /** A checkid at `app`: where it sends the browser (or the status when it does not redirect). */
  async function handOff(app: App): Promise<{ status: number; location: string | null; requestId: string | null }> {
    const rp = relyingParty({ returnUrl: RETURN_URL, realm: REALM, stateless: true });
    const url = await rp.start(`${app.config.PUBLIC_URL}/c/acme/`).catch(() => null);
    if (url === null) return { status: 404, location: null, requestId: null };
    const hop = await new Browser().get(url);
    return { status: hop.status, location: hop.location, requestId: hop.location ? new URL(hop.location).searchParams.get('request_id') : null };
  }

  it('a Verify URL changed through one instance is used by the other within a second', async () => {
    expect((await handOff(b)).location).toMatch(/^https:\/\/aw\.example\.com\/v1\?/);
    // Cached in b from here on: a later checkid at b reads nothing of the customer.
    const since = Date.now();
    await inContext(a, () => a.services.customers.updateCustomer(customerId, { verifyUrl: 'https://aw.example.com/v2' }, PLATFORM));
    await waitUntil('b to hand off to the new Verify URL', async () => (await handOff(b)).location?.startsWith('https://aw.example.com/v2?') === true, { timeoutMs: WITHIN_MS, since, intervalMs: 0 });
  });

  it('a customer removed on one side is unknown to the other within a second, and a new one with its slug is found', async () => {
    expect((await handOff(b)).status).toBe(302);
    const since = Date.now();
    await asOwner((sql) => sql('delete from customer where id = ?', [customerId]));
    await waitUntil('b to answer 404 for the removed customer', async () => (await handOff(b)).status === 404, { timeoutMs: WITHIN_MS, since, intervalMs: 0 });
    // The slug is free again; the unknown slug b cached goes with the next notification too.
    const created = await createTestCustomer(a, 'acme', { verifyUrl: 'https://aw.example.com/new' });
    const again = Date.now();
    await waitUntil("b to hand off to the new customer's Verify URL", async () => (await handOff(b)).location?.startsWith('https://aw.example.com/new?') === true, { timeoutMs: WITHIN_MS, since: again, intervalMs: 0 });
    expect(created.customer.id).not.toBe(customerId);
  });

  it('a rotated API key works at the other instance at once (keys are checked in the database, never cached)', async () => {
    const { requestId } = await handOff(b);
    const rotated = await inContext(a, () => a.services.customers.rotateCustomerApiKey(customerId, PLATFORM));
    // The old key stays good for its grace period; the new one works at b straight away.
    expect((await postback(b, 'acme', { request_id: requestId!, api_key: rotated.apiKey, username: 'alice' })).status).toBe(200);
    expect(rotated.apiKey).not.toBe(apiKey);
  });
});
