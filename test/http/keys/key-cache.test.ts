import { Client } from 'pg';
import { App } from '../../../src/app';
import { testAppDatabaseUrl } from '../../support/env';
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

  it('lets the service delete keys only of the customer its transaction is scoped to', async () => {
    const login = await startLogin(app, 'acme');
    expect((await postback(app, 'acme', { request_id: login.requestId, api_key: apiKey, username: 'alice' })).status).toBe(200);
    const [{ id: profileId }] = await ownerSql('select id from profile');
    const { customer: other } = await createTestCustomer(app, 'other');
    const client = new Client({ connectionString: testAppDatabaseUrl() });
    await client.connect();
    const shredAs = async (scope: string) => {
      await client.query('begin');
      try {
        await client.query(`select set_config('app.customer_id', $1, true)`, [scope]);
        return (await client.query('select keyring.ids_shred_person($1, $2) as n', [customerId, profileId])).rows[0].n as number;
      } finally {
        await client.query('rollback');
      }
    };
    try {
      await expect(shredAs(other.id)).rejects.toThrow(/may not be deleted outside its scope/);
      await expect(shredAs('')).rejects.toThrow(/may not be deleted outside its scope/);
      expect(await shredAs(customerId)).toBe(1); // rolled back: the key stays
    } finally {
      await client.end();
    }
    expect(await ownerSql('select count(*)::int as n from keyring.person_key')).toEqual([{ n: 1 }]);
  });
});

