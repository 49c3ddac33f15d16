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
});
