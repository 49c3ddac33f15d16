import { App } from '../../../src/app';
import {
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  RedeliverFailedWebhooksDocument,
  RedeliverWebhookDocument,
  RotateWebhookSecretDocument,
  SendTestWebhookDocument,
  verifyWebhookSignature,
  WebhookDeliveriesDocument,
  WebhookEndpointsDocument,
  type WebhookDeliveryFieldsFragment,
} from '../../../clients/typescript/src';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { postback, startLogin } from '../../support/flow';
import { sdk } from '../../support/sdk';
import { clientToken } from '../../support/oauth';
import { testQueuePrefix } from '../../support/env';
import { testEnv } from '../../support/config';
import { ensureStopped, spawnService } from '../../support/process';
import { startReceiver } from '../../support/webhook-receiver';
import { waitUntil } from '../../support/wait';

type Delivery = WebhookDeliveryFieldsFragment;

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
    const { createWebhookEndpoint } = await sdk(app).request(CreateWebhookEndpointDocument, { customerId, input: { url, events } });
    return { id: createWebhookEndpoint.endpoint.id, secret: createWebhookEndpoint.signingSecret };
  }

  async function deliveries(endpointId: string): Promise<Delivery[]> {
    return (await sdk(app).request(WebhookDeliveriesDocument, { filter: { endpointId }, first: 50 })).webhookDeliveries.nodes;
  }

  /** The worker drains in the background: wait until it is idle before counting rows. */
  async function settled(): Promise<void> {
    await waitUntil('the worker to audit and dispatch every outbox row', async () => ((await ownerSql(`select count(*)::int as n from audit_outbox where audited_at is null or dispatched_at is null`))[0] as { n: number }).n === 0, { timeoutMs: 10_000 });
  }

  async function signIn(username: string) {
    const login = await startLogin(app, 'acme');
    expect((await postback(app, 'acme', { request_id: login.requestId, api_key: apiKey, username, sreg_email: `${username}@example.org` })).status).toBe(200);
  }

  it('delivers an event, signed so the receiver helper verifies it, with no personal value in it', async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(r.url);
    await signIn('alice');
    await waitUntil('the receiver to get one request', () => r.received.length === 1, { timeoutMs: 10_000 });
    const [got] = r.received;
    expect(verifyWebhookSignature(got!.body, got!.headers['x-ids-signature'] as string, endpoint.secret)).toEqual({ ok: true, timestamp: expect.any(Number) });
    expect(verifyWebhookSignature(got!.body, got!.headers['x-ids-signature'] as string, 'whsec_wrong').ok).toBe(false);
    const body = JSON.parse(got!.body);
    expect(body).toEqual({ id: got!.headers['x-ids-event-id'], type: 'profile.created', createdAt: expect.any(String), customerId, data: { profileId: expect.any(String), username: 'alice', fields: ['email'] } });
    expect(got!.body).not.toContain('alice@example.org');
    await waitUntil('the delivery to be SUCCEEDED', async () => (await deliveries(endpoint.id))[0]?.status === 'SUCCEEDED', { timeoutMs: 5000 });
  });

  it('retries a receiver that fails twice and then succeeds: three attempts', async () => {
    const r = await receiver((n) => (n < 2 ? 500 : 200));
    const endpoint = await createEndpoint(r.url);
    await signIn('bob');
    await waitUntil('the delivery to be SUCCEEDED', async () => (await deliveries(endpoint.id))[0]?.status === 'SUCCEEDED', { timeoutMs: 10_000 });
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
    await waitUntil('the delivery to be FAILED', async () => (await deliveries(endpoint.id))[0]?.status === 'FAILED', { timeoutMs: 10_000 });
    expect((await deliveries(endpoint.id))[0]!.attempts.map((a) => a.statusCode)).toEqual([503, 503, 503]);

    r.setBehaviour(() => 204);
    const since = new Date(Date.now() - 60_000).toISOString();
    const again = await sdk(app).request(RedeliverFailedWebhooksDocument, { endpointId: endpoint.id, since });
    expect(again.redeliverFailedWebhooks).toBe(1);
    await waitUntil('the redelivered request (4th) at the receiver', () => r.received.length === 4, { timeoutMs: 10_000 });
    expect(r.received[3]!.headers['x-ids-event-id']).toBe(r.received[0]!.headers['x-ids-event-id']);
    expect(r.received[3]!.body).toBe(r.received[0]!.body);
    // The receiver has answered; the worker records the attempt just after.
    await waitUntil('the redelivery to be recorded as SUCCEEDED beside the FAILED one', async () => (await deliveries(endpoint.id)).map((d) => d.status).sort().join() === 'FAILED,SUCCEEDED', { timeoutMs: 5000 });
    const all = await deliveries(endpoint.id);

    const one = await sdk(app).request(RedeliverWebhookDocument, { deliveryId: all.find((d) => d.status === 'FAILED')!.id });
    expect(one.redeliverWebhook.status).toBe('PENDING');
    await waitUntil('the single redelivery (5th request) at the receiver', () => r.received.length === 5, { timeoutMs: 10_000 });
  });

  it('disables an endpoint that answers 410 and stops sending to it', async () => {
    const r = await receiver(() => 410);
    const endpoint = await createEndpoint(r.url);
    await signIn('dave');
    await waitUntil('the delivery to be FAILED', async () => (await deliveries(endpoint.id))[0]?.status === 'FAILED', { timeoutMs: 10_000 });
    const state = await sdk(app).request(WebhookEndpointsDocument, { first: 10 });
    expect(state.webhookEndpoints.nodes).toEqual([expect.objectContaining({ id: endpoint.id, isDisabled: true, disabledReason: 'the endpoint answered 410 Gone' })]);
    await signIn('erin');
    // Once the worker has dispatched erin's event, it has decided: no delivery row for the disabled
    // endpoint, so nothing queued that could reach the receiver later.
    await settled();
    expect((await deliveries(endpoint.id)).map((d) => d.status)).toEqual(['FAILED']);
    expect(r.received).toHaveLength(1);
  });

  it('times out a hanging receiver without delaying a healthy endpoint', async () => {
    const hanging = await receiver(() => 'hang');
    const healthy = await receiver(() => 200);
    const slow = await createEndpoint(hanging.url);
    await createEndpoint(healthy.url);
    await signIn('frank');
    await waitUntil('both receivers to get a request', () => hanging.received.length === 1 && healthy.received.length === 1, { timeoutMs: 10_000 });
    // The healthy endpoint got its event while the other one was still hanging.
    expect(Math.abs(healthy.received[0]!.at - hanging.received[0]!.at)).toBeLessThan(900);
    await waitUntil("the hanging endpoint's attempt to time out", async () => (await deliveries(slow.id))[0]?.attempts.length === 1, { timeoutMs: 10_000 });
    expect((await deliveries(slow.id))[0]!.attempts[0]).toEqual({ attemptedAt: expect.any(String), statusCode: null, latencyMs: expect.any(Number), error: 'timeout' });
  });

  it('signs with the old and the new secret during a rotation, and sends test events on demand', async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(r.url);
    const rotated = await sdk(app).request(RotateWebhookSecretDocument, { id: endpoint.id });
    const test = await sdk(app).request(SendTestWebhookDocument, { endpointId: endpoint.id });
    expect(test.sendTestWebhook.eventType).toBe('webhook.test');
    await waitUntil('the test event at the receiver', () => r.received.length === 1, { timeoutMs: 10_000 });
    const [got] = r.received;
    expect(verifyWebhookSignature(got!.body, got!.headers['x-ids-signature'] as string, rotated.rotateWebhookSecret.signingSecret).ok).toBe(true);
    expect(verifyWebhookSignature(got!.body, got!.headers['x-ids-signature'] as string, endpoint.secret).ok).toBe(true);
    expect(JSON.stringify(await ownerSql(`select * from webhook_endpoint`))).not.toContain(endpoint.secret);
  });

  it("keeps each customer's endpoints and deliveries to itself", async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(r.url);
    await signIn('gina');
    await waitUntil('a delivery row for the endpoint', async () => (await deliveries(endpoint.id)).length === 1, { timeoutMs: 10_000 });
    const other = await createTestCustomer(app, 'other');
    const { token } = await clientToken(app, other.customer.id, ['webhooks:write']);
    const client = sdk(app, token);
    expect((await client.request(WebhookDeliveriesDocument, { filter: { endpointId: endpoint.id }, first: 50 })).webhookDeliveries.nodes).toEqual([]);
    expect((await client.request(WebhookEndpointsDocument, { first: 50 })).webhookEndpoints.nodes).toEqual([]);
    await settled();
    const before = await tableCounts();
    for (const [mutation, run] of [
      ['sendTestWebhook', () => client.execute(SendTestWebhookDocument, { endpointId: endpoint.id })],
      ['rotateWebhookSecret', () => client.execute(RotateWebhookSecretDocument, { id: endpoint.id })],
      ['deleteWebhookEndpoint', () => client.execute(DeleteWebhookEndpointDocument, { id: endpoint.id })],
      ['createWebhookEndpoint', () => client.execute(CreateWebhookEndpointDocument, { customerId, input: { url: 'http://127.0.0.1:9/x', events: ['profile.created'] } })],
    ] as const) {
      const res = await run();
      expect({ mutation, errors: res.errors.map((e) => e.code), data: res.data }).toEqual({ mutation, errors: ['NOT_FOUND'], data: null });
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
      const res = await sdk(app).execute(CreateWebhookEndpointDocument, { customerId, input: { url, events: [...events] } });
      expect(res.errors[0]?.code).toBe('BAD_USER_INPUT');
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
      const res = await sdk(app).execute(CreateWebhookEndpointDocument, { customerId, input: { url, events: ['profile.created'] } });
      expect(res.errors[0]).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
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
      await sdk(api).request(CreateWebhookEndpointDocument, { customerId: customer.id, input: { url: r.url, events: ['profile.created'] } });
      const login = await startLogin(api, 'acme');
      await postback(api, 'acme', { request_id: login.requestId, api_key: apiKey, username: 'hank' });
      await waitUntil('the first attempt to reach the hanging receiver', () => r.received.length === 1, { timeoutMs: 15_000 });
      worker.child.kill('SIGKILL');
      await worker.exited;
      worker = spawnService(env);
      await waitUntil('a second attempt from the restarted worker', () => r.received.length >= 2, { timeoutMs: 20_000 });
      expect(r.received[1]!.headers['x-ids-event-id']).toBe(r.received[0]!.headers['x-ids-event-id']);
      await waitUntil('the delivery to be SUCCEEDED', async () => ((await ownerSql(`select status from webhook_delivery`))[0] as { status: string }).status === 'SUCCEEDED', { timeoutMs: 10_000 });
    } finally {
      await ensureStopped(worker);
      await r.stop();
      await api.stop();
    }
  }, 60_000);
});
