import { App } from '../../../src/app';
import { createTestCustomer, resetDatabase, startPublicTestApp } from '../../support/app';

describe('a cookie that does not decode', () => {
  let app: App;

  beforeAll(async () => {
    app = await startPublicTestApp({ LOG_LEVEL: 'silent' });
    await resetDatabase();
    await createTestCustomer(app, 'acme');
  });
  afterAll(() => app.stop());

  it('is treated as no cookie: the Return URL and the logout endpoint answer their pages, not a server error', async () => {
    const headers = { cookie: 'ids_txn=%E0%A4%A; ids_logout=%E0%A4%A' };
    const back = await fetch(`${app.url}/c/acme/ows_return`, { headers, redirect: 'manual' });
    expect(back.status).toBe(404);
    expect(await back.text()).toContain('This sign-in request is unknown.');
    const logout = await fetch(`${app.url}/c/acme/oidc/logout`, { headers, redirect: 'manual' });
    expect(logout.status).toBe(200);
  });
});
