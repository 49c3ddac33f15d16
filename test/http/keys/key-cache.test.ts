import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { postback, startLogin } from '../../support/flow';
import { waitUntil } from '../../support/wait';

/**
 * Keys are cached for KEY_CACHE_SECONDS, but a key deleted in the database (an erasure on another
 * instance) leaves every instance's cache at once, through the change feed.
 */
describe('the key cache', () => {
  let app: App;
  let apiKey: string;
  let customerId: string;

  beforeAll(async () => {
    app = await startPublicTestApp({ KEY_CACHE_SECONDS: '3600' });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    ({ apiKey, customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
  });

  it('forgets a person key and a customer key deleted elsewhere', async () => {
    const login = await startLogin(app, 'acme');
    expect((await postback(app, 'acme', { request_id: login.requestId, api_key: apiKey, username: 'alice', sreg_email: 'alice@example.com' })).status).toBe(200);
    const [{ person_key_id: personKeyId }] = await ownerSql('select person_key_id from profile');
    expect(await app.services.keys.personById(customerId, personKeyId)).not.toBeNull();

    await ownerSql('delete from keyring.person_key where id = ?', [personKeyId]);
    await waitUntil('the deleted person key to leave the cache', async () => (await app.services.keys.personById(customerId, personKeyId)) === null);

    const before = await app.services.keys.customer(customerId);
    await ownerSql('delete from keyring.customer_key where customer_id = ?', [customerId]);
    // A customer key asked for after it was deleted is a new one (the old one is gone with everything under it).
    await waitUntil('the deleted customer key to leave the cache', async () => !(await app.services.keys.customer(customerId)).key.equals(before.key));
  });

  it('stores no key for a postback that names no live request, even with the right API key', async () => {
    const unknown = await postback(app, 'acme', { request_id: 'no-such-request-0123456789abcdef', api_key: apiKey, username: 'mallory-1', sreg_email: 'm@example.com' });
    expect(unknown.status).toBe(404);
    const login = await startLogin(app, 'acme');
    expect((await postback(app, 'acme', { request_id: login.requestId, api_key: apiKey, username: 'alice' })).status).toBe(200);
    // Posted again for another user: refused, and no key is made for them.
    expect((await postback(app, 'acme', { request_id: login.requestId, api_key: apiKey, username: 'mallory-2' })).status).toBe(409);
    expect(await ownerSql('select count(*)::int as n from keyring.person_key')).toEqual([{ n: 1 }]);
  });
});

