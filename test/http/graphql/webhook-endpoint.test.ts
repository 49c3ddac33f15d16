import { App } from '../../../src/app';
import { createTestCustomer, resetDatabase, startPublicTestApp } from '../../support/app';
import { graphql } from '../../support/graphql';
import { operatorToken } from '../../support/operators';

const ONE = `query($id: ID!) { webhookEndpoint(id: $id) { id customerId url events isDisabled createdAt } }`;

/** `webhookEndpoint(id)`: one endpoint for the dashboard's endpoint page, only the caller's own. */
describe('webhookEndpoint query', () => {
  let app: App;
  let acme: string;
  let acmeEndpoint: string;
  let globexEndpoint: string;

  beforeAll(async () => {
    app = await startPublicTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
    await resetDatabase();
    acme = (await createTestCustomer(app, 'acme')).customer.id;
    const globex = (await createTestCustomer(app, 'globex')).customer.id;
    const create = async (customerId: string) => {
      const res = await graphql<{ createWebhookEndpoint: { endpoint: { id: string } } }>(
        app.url!,
        `mutation($c: ID!) { createWebhookEndpoint(customerId: $c, input: { url: "http://127.0.0.1:9/hook", events: ["login.succeeded"] }) { endpoint { id } } }`,
        { c: customerId },
      );
      return res.data!.createWebhookEndpoint.endpoint.id;
    };
    acmeEndpoint = await create(acme);
    globexEndpoint = await create(globex);
  });
  afterAll(() => app.stop());

  it("answers the caller's own endpoint", async () => {
    const token = await operatorToken(app, 'ADMIN', acme);
    const res = await graphql<{ webhookEndpoint: { id: string; customerId: string; url: string; events: string[] } | null }>(app.url!, ONE, { id: acmeEndpoint }, token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.webhookEndpoint).toMatchObject({ id: acmeEndpoint, customerId: acme, url: 'http://127.0.0.1:9/hook', events: ['login.succeeded'] });
  });

  it("answers null for another customer's endpoint, an unknown id and a malformed id", async () => {
    const token = await operatorToken(app, 'ADMIN', acme);
    for (const id of [globexEndpoint, '00000000-0000-4000-8000-000000000000', "x' or 1=1 --"]) {
      const res = await graphql<{ webhookEndpoint: unknown }>(app.url!, ONE, { id }, token);
      expect(res.errors).toBeUndefined();
      expect(res.data!.webhookEndpoint).toBeNull();
    }
  });

  it('lets a platform-wide owner read any customer\'s endpoint', async () => {
    const res = await graphql<{ webhookEndpoint: { id: string } | null }>(app.url!, ONE, { id: globexEndpoint });
    expect(res.data!.webhookEndpoint?.id).toBe(globexEndpoint);
  });

  it('refuses a role without webhooks:write', async () => {
    for (const role of ['SUPPORT', 'AUDITOR', 'VIEWER']) {
      const token = await operatorToken(app, role, acme);
      const res = await graphql<{ webhookEndpoint: unknown }>(app.url!, ONE, { id: acmeEndpoint }, token);
      expect(res.data?.webhookEndpoint ?? null).toBeNull();
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });
});
