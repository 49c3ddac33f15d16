import { randomUUID } from 'node:crypto';
import { App } from '../../../src/app';
import { startPublicTestApp } from '../../support/app';
import { dashboardGraphql, signInToDashboard } from '../../support/dashboard';
import { TEST_ADMIN_TOKEN, testQueuePrefix } from '../../support/env';
import { graphql } from '../../support/graphql';
import { operatorToken } from '../../support/operators';
import { regionDatabases } from '../../support/regions';

const ENDPOINT = 'query($id: ID!) { webhookEndpoint(id: $id) { id customerId } }';

/**
 * With several regions, a platform-wide operator's dashboard page about a customer outside the home
 * region: an operation naming only an object's id (here a webhook endpoint) runs in the region of
 * the customer the page is about, which the dashboard names in `Ids-Customer`. Routing only: a
 * customer-bound operator still sees nothing of another customer.
 */
describe('dashboard GraphQL over two regions', () => {
  let app: App;
  let url: string;
  let drop: () => Promise<void>;
  let naCustomer: string;
  let endpointId: string;

  beforeAll(async () => {
    const made = await regionDatabases(['EU', 'NA']);
    drop = made.drop;
    app = await startPublicTestApp({ ...made.env, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', QUEUE_PREFIX: `${testQueuePrefix()}-dash-regions-${randomUUID()}`, WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
    url = new URL(app.config.PUBLIC_URL).origin;
    const created = await graphql<{ createCustomer: { customer: { id: string } } }>(
      url,
      'mutation { createCustomer(input: { slug: "northwind", name: "Northwind", verifyUrl: "https://login.northwind.example/verify", region: NA }) { customer { id } } }',
      {},
      TEST_ADMIN_TOKEN,
    );
    naCustomer = created.data!.createCustomer.customer.id;
    const endpoint = await graphql<{ createWebhookEndpoint: { endpoint: { id: string } } }>(
      url,
      'mutation($c: ID!) { createWebhookEndpoint(customerId: $c, input: { url: "http://127.0.0.1:9/hook", events: ["login.succeeded"] }) { endpoint { id } } }',
      { c: naCustomer },
      TEST_ADMIN_TOKEN,
    );
    endpointId = endpoint.data!.createWebhookEndpoint.endpoint.id;
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await drop?.();
  });

  it("runs an id-only operation in the region of the customer named by Ids-Customer (the page's customer)", async () => {
    const auth = await signInToDashboard(url, await operatorToken(app, 'OWNER', null));
    // Without the hint it runs in the home region (EU), which holds no such endpoint.
    const home = await dashboardGraphql<{ webhookEndpoint: unknown }>(url, auth, ENDPOINT, { id: endpointId });
    expect(home.errors).toBeUndefined();
    expect(home.data!.webhookEndpoint).toBeNull();
    const routed = await dashboardGraphql<{ webhookEndpoint: { id: string; customerId: string } }>(url, auth, ENDPOINT, { id: endpointId }, { 'ids-customer': naCustomer });
    expect(routed.errors).toBeUndefined();
    expect(routed.data!.webhookEndpoint).toEqual({ id: endpointId, customerId: naCustomer });
    // The same header on /graphql, for a platform caller's own scripts.
    const bearer = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'ids-customer': naCustomer },
      body: JSON.stringify({ query: ENDPOINT, variables: { id: endpointId } }),
    });
    expect(((await bearer.json()) as { data: { webhookEndpoint: { id: string } } }).data.webhookEndpoint.id).toBe(endpointId);
  });

  it('ignores a malformed or unknown Ids-Customer (home region), and gives a customer-bound operator nothing of another customer', async () => {
    const auth = await signInToDashboard(url, await operatorToken(app, 'OWNER', null));
    for (const hint of ['not-a-uuid', randomUUID()]) {
      const res = await dashboardGraphql<{ webhookEndpoint: unknown }>(url, auth, ENDPOINT, { id: endpointId }, { 'ids-customer': hint });
      expect(res.errors).toBeUndefined();
      expect(res.data!.webhookEndpoint).toBeNull();
    }
    const eu = await graphql<{ createCustomer: { customer: { id: string } } }>(
      url,
      'mutation { createCustomer(input: { slug: "contoso", name: "Contoso", verifyUrl: "https://login.contoso.example/verify", region: EU }) { customer { id } } }',
      {},
      TEST_ADMIN_TOKEN,
    );
    const bound = await signInToDashboard(url, await operatorToken(app, 'ADMIN', eu.data!.createCustomer.customer.id));
    const res = await dashboardGraphql<{ webhookEndpoint: unknown }>(url, bound, ENDPOINT, { id: endpointId }, { 'ids-customer': naCustomer });
    expect(res.data?.webhookEndpoint ?? null).toBeNull();
  });
});
