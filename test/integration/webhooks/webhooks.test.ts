import { App } from '../../../src/app';
import { verifyWebhookSignature } from '../../../clients/typescript/src/webhooks';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { postback, startLogin } from '../../support/flow';
import { graphql } from '../../support/graphql';
import { clientToken } from '../../support/oauth';
import { testQueuePrefix } from '../../support/env';
import { testEnv } from '../../support/config';
import { ensureStopped, spawnService } from '../../support/process';
import { startReceiver, until } from '../../support/webhook-receiver';

const CREATE = `mutation($c: ID!, $url: String!, $events: [String!]!) {
  createWebhookEndpoint(customerId: $c, input: { url: $url, events: $events }) { signingSecret endpoint { id url events isDisabled } }
}`;
const DELIVERIES = `query($e: ID) {
  webhookDeliveries(filter: { endpointId: $e }, first: 50) { nodes { id eventId eventType status attemptCount attempts { statusCode latencyMs error } } }
}`;

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attemptCount: number;
  attempts: Array<{ statusCode: number | null; latencyMs: number; error: string | null }>;
}

/** Webhooks against real receivers on loopback, with a real worker on its own queues and a short schedule. */
describe('webhooks', () => {
  let app: App;
  let customerId: string;
  let apiKey: string;
  const stops: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    app = await startPublicTestApp({
      ROLE: 'all',
      QUEUE_PREFIX: `${testQueuePrefix()}-webhooks`,
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_RETRY_SCHEDULE: '200ms,400ms',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_POLL_INTERVAL_MS: '100',
      AUDIT_DRAIN_INTERVAL_MS: '100',
    });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    ({ customer: { id: customerId }, apiKey } = await createTestCustomer(app, 'acme'));
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  async function receiver(...args: Parameters<typeof startReceiver>) {
    const r = await startReceiver(...args);
    stops.push(r.stop);
    return r;
  }

  async function createEndpoint(url: string, events = ['profile.created', 'login.succeeded']) {
    const res = await graphql<{ createWebhookEndpoint: { signingSecret: string; endpoint: { id: string } } }>(app.url!, CREATE, { c: customerId, url, events });
    expect(res.errors).toBeUndefined();
    return { id: res.data!.createWebhookEndpoint.endpoint.id, secret: res.data!.createWebhookEndpoint.signingSecret };
  }

  async function deliveries(endpointId: string): Promise<Delivery[]> {
    const res = await graphql<{ webhookDeliveries: { nodes: Delivery[] } }>(app.url!, DELIVERIES, { e: endpointId });
    expect(res.errors).toBeUndefined();
    return res.data!.webhookDeliveries.nodes;
  }

  /** The worker drains in the background: wait until it is idle before counting rows. */
  async function settled(): Promise<void> {
    await until(async () => ((await ownerSql(`select count(*)::int as n from audit_outbox where audited_at is null or dispatched_at is null`))[0] as { n: number }).n === 0, 10_000, 'outbox drained');
  }

  async function signIn(username: string) {
    const login = await startLogin(app, 'acme');
    expect((await postback(app, 'acme', { request_id: login.requestId, api_key: apiKey, username, sreg_email: `${username}@example.org` })).status).toBe(200);
  }

  it('delivers an event, signed so the receiver helper verifies it, with no personal value in it', async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(r.url);
    await signIn('alice');
    await until(() => r.received.length === 1, 10_000, 'delivery');
    const [got] = r.received;
    expect(verifyWebhookSignature(got!.body, got!.headers['x-ids-signature'] as string, endpoint.secret)).toEqual({ ok: true, timestamp: expect.any(Number) });
    expect(verifyWebhookSignature(got!.body, got!.headers['x-ids-signature'] as string, 'whsec_wrong').ok).toBe(false);
    const body = JSON.parse(got!.body);
    expect(body).toEqual({ id: got!.headers['x-ids-event-id'], type: 'profile.created', createdAt: expect.any(String), customerId, data: { profileId: expect.any(String), username: 'alice', fields: ['email'] } });
    expect(got!.body).not.toContain('alice@example.org');
    await until(async () => (await deliveries(endpoint.id))[0]?.status === 'SUCCEEDED', 5000, 'SUCCEEDED');
  });

  it('retries a receiver that fails twice and then succeeds: three attempts', async () => {
    const r = await receiver((n) => (n < 2 ? 500 : 200));
    const endpoint = await createEndpoint(r.url);
    await signIn('bob');
    await until(async () => (await deliveries(endpoint.id))[0]?.status === 'SUCCEEDED', 10_000, 'SUCCEEDED');
    const [delivery] = await deliveries(endpoint.id);
    expect(delivery!.attempts.map((a) => a.statusCode)).toEqual([500, 500, 200]);
    expect(new Set(r.received.map((g) => g.headers['x-ids-event-id'])).size).toBe(1);
    // The retries waited for the schedule (200 ms, then 400 ms).
    expect(r.received[1]!.at - r.received[0]!.at).toBeGreaterThanOrEqual(150);
    expect(r.received[2]!.at - r.received[1]!.at).toBeGreaterThanOrEqual(350);
  });

  it('marks a delivery FAILED after the schedule, keeps it, and redelivers it on demand with the same event id', async () => {
    const r = await receiver(() => 503);
    const endpoint = await createEndpoint(r.url);
    await signIn('carol');
    await until(async () => (await deliveries(endpoint.id))[0]?.status === 'FAILED', 10_000, 'FAILED');
    expect((await deliveries(endpoint.id))[0]!.attempts.map((a) => a.statusCode)).toEqual([503, 503, 503]);

    r.setBehaviour(() => 204);
    const since = new Date(Date.now() - 60_000).toISOString();
    const again = await graphql<{ redeliverFailedWebhooks: number }>(app.url!, `mutation($e: ID!, $s: DateTimeISO!) { redeliverFailedWebhooks(endpointId: $e, since: $s) }`, { e: endpoint.id, s: since });
    expect(again.data!.redeliverFailedWebhooks).toBe(1);
    await until(() => r.received.length === 4, 10_000, 'redelivery');
    expect(r.received[3]!.headers['x-ids-event-id']).toBe(r.received[0]!.headers['x-ids-event-id']);
    expect(r.received[3]!.body).toBe(r.received[0]!.body);
    const all = await deliveries(endpoint.id);
    expect(all.map((d) => d.status).sort()).toEqual(['FAILED', 'SUCCEEDED']);

    const one = await graphql<{ redeliverWebhook: { status: string } }>(app.url!, `mutation($d: ID!) { redeliverWebhook(deliveryId: $d) { status } }`, { d: all.find((d) => d.status === 'FAILED')!.id });
    expect(one.data!.redeliverWebhook.status).toBe('PENDING');
    await until(() => r.received.length === 5, 10_000, 'single redelivery');
  });

  it('disables an endpoint that answers 410 and stops sending to it', async () => {
    const r = await receiver(() => 410);
    const endpoint = await createEndpoint(r.url);
    await signIn('dave');
    await until(async () => (await deliveries(endpoint.id))[0]?.status === 'FAILED', 10_000, 'FAILED');
    const state = await graphql<{ webhookEndpoints: { nodes: Array<{ isDisabled: boolean; disabledReason: string }> } }>(app.url!, `query { webhookEndpoints { nodes { isDisabled disabledReason } } }`);
    expect(state.data!.webhookEndpoints.nodes).toEqual([{ isDisabled: true, disabledReason: 'the endpoint answered 410 Gone' }]);
    await signIn('erin');
    await new Promise((r2) => setTimeout(r2, 1000));
    expect(r.received).toHaveLength(1);
  });

  it('times out a hanging receiver without delaying a healthy endpoint', async () => {
    const hanging = await receiver(() => 'hang');
    const healthy = await receiver(() => 200);
    const slow = await createEndpoint(hanging.url);
    await createEndpoint(healthy.url);
    await signIn('frank');
    await until(() => hanging.received.length === 1 && healthy.received.length === 1, 10_000, 'both receivers reached');
    // The healthy endpoint got its event while the other one was still hanging.
    expect(Math.abs(healthy.received[0]!.at - hanging.received[0]!.at)).toBeLessThan(900);
    await until(async () => (await deliveries(slow.id))[0]?.attempts.length === 1, 10_000, 'timed-out attempt');
    expect((await deliveries(slow.id))[0]!.attempts[0]).toEqual({ statusCode: null, latencyMs: expect.any(Number), error: expect.stringMatching(/timed out after 1000 ms/) });
  });

  it('signs with the old and the new secret during a rotation, and sends test events on demand', async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(r.url);
    const rotated = await graphql<{ rotateWebhookSecret: { signingSecret: string } }>(app.url!, `mutation($id: ID!) { rotateWebhookSecret(id: $id) { signingSecret } }`, { id: endpoint.id });
    const test = await graphql<{ sendTestWebhook: { eventType: string } }>(app.url!, `mutation($id: ID!) { sendTestWebhook(endpointId: $id) { eventType } }`, { id: endpoint.id });
    expect(test.data!.sendTestWebhook.eventType).toBe('webhook.test');
    await until(() => r.received.length === 1, 10_000, 'test event');
    const [got] = r.received;
    expect(verifyWebhookSignature(got!.body, got!.headers['x-ids-signature'] as string, rotated.data!.rotateWebhookSecret.signingSecret).ok).toBe(true);
    expect(verifyWebhookSignature(got!.body, got!.headers['x-ids-signature'] as string, endpoint.secret).ok).toBe(true);
    expect(JSON.stringify(await ownerSql(`select * from webhook_endpoint`))).not.toContain(endpoint.secret);
  });

  it("keeps each customer's endpoints and deliveries to itself", async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(r.url);
    await signIn('gina');
    await until(async () => (await deliveries(endpoint.id)).length === 1, 10_000, 'delivery');
    const other = await createTestCustomer(app, 'other');
    const { token } = await clientToken(app, other.customer.id, ['webhooks:write']);
    const seen = await graphql<{ webhookDeliveries: { nodes: unknown[] }; webhookEndpoints: { nodes: unknown[] } }>(app.url!, `query($e: ID) { webhookDeliveries(filter: { endpointId: $e }) { nodes { id } } webhookEndpoints { nodes { id } } }`, { e: endpoint.id }, token);
    expect(seen.data).toEqual({ webhookDeliveries: { nodes: [] }, webhookEndpoints: { nodes: [] } });
    await settled();
    const before = await tableCounts();
    for (const [mutation, vars] of [
      [`mutation($id: ID!) { sendTestWebhook(endpointId: $id) { id } }`, { id: endpoint.id }],
      [`mutation($id: ID!) { rotateWebhookSecret(id: $id) { signingSecret } }`, { id: endpoint.id }],
      [`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id }],
      [`mutation($c: ID!) { createWebhookEndpoint(customerId: $c, input: { url: "http://127.0.0.1:9/x", events: ["profile.created"] }) { signingSecret } }`, { c: customerId }],
    ] as const) {
      const res = await graphql(app.url!, mutation, vars, token);
      expect({ mutation, errors: res.errors?.map((e) => e.extensions?.code) }).toEqual({ mutation, errors: ['NOT_FOUND'] });
    }
    expect(await tableCounts()).toEqual(before);
  });

  it('refuses bad endpoint input and writes nothing', async () => {
    await settled();
    const before = await tableCounts();
    for (const [url, events] of [
      ['ftp://127.0.0.1/x', ['profile.created']],
      ['http://127.0.0.1:1/x', []],
      ['http://127.0.0.1:1/x', ['profile.exploded']],
    ] as const) {
      const res = await graphql(app.url!, CREATE, { c: customerId, url, events });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(await tableCounts()).toEqual(before);
  });
});

describe('webhook URLs without the development setting', () => {
  let app: App;
  let customerId: string;
  beforeAll(async () => {
    app = await startPublicTestApp();
    await resetDatabase();
    ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
  });
  afterAll(() => app.stop());

  it.each(['http://127.0.0.1:8080/hook', 'https://127.0.0.1/hook', 'https://10.0.0.8/hook', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/hook', 'https://localhost/hook'])(
    'refuses %s (private, loopback or link-local) and writes nothing',
    async (url) => {
      const before = await tableCounts();
      const res = await graphql(app.url!, CREATE, { c: customerId, url, events: ['profile.created'] });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
      expect(await tableCounts()).toEqual(before);
    },
  );
});

describe('a worker killed in the middle of a delivery', () => {
  it('delivers the event after it restarts (at least once)', async () => {
    const api = await startPublicTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
    const r = await startReceiver((n) => (n === 0 ? 'hang' : 200));
    const env = testEnv({
      ROLE: 'worker',
      LOG_LEVEL: 'info',
      QUEUE_PREFIX: `${testQueuePrefix()}-webhooks-kill`,
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_POLL_INTERVAL_MS: '100',
    });
    let worker = spawnService(env);
    try {
      await resetDatabase();
      const { customer, apiKey } = await createTestCustomer(api, 'acme');
      const res = await graphql<{ createWebhookEndpoint: { endpoint: { id: string } } }>(api.url!, CREATE, { c: customer.id, url: r.url, events: ['profile.created'] });
      expect(res.errors).toBeUndefined();
      const login = await startLogin(api, 'acme');
      await postback(api, 'acme', { request_id: login.requestId, api_key: apiKey, username: 'hank' });
      await until(() => r.received.length === 1, 15_000, 'first attempt in flight');
      worker.child.kill('SIGKILL');
      await worker.exited;
      worker = spawnService(env);
      await until(() => r.received.length >= 2, 20_000, 'delivery after restart');
      expect(r.received[1]!.headers['x-ids-event-id']).toBe(r.received[0]!.headers['x-ids-event-id']);
      await until(async () => ((await ownerSql(`select status from webhook_delivery`))[0] as { status: string }).status === 'SUCCEEDED', 10_000, 'SUCCEEDED');
    } finally {
      await ensureStopped(worker);
      await r.stop();
      await api.stop();
    }
  }, 60_000);
});
