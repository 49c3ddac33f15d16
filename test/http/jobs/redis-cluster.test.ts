import { Cluster, Redis } from 'ioredis';
import { App } from '../../../src/app';
import { QUEUES } from '../../../src/jobs/queues';
import { CreateWebhookEndpointDocument } from '../../../clients/typescript/src';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { postback, startLogin } from '../../support/flow';
import { sdk } from '../../support/sdk';
import { testQueuePrefix, TEST_REDIS_URL } from '../../support/env';
import { startRedisCluster, RedisClusterNodes } from '../../support/redis-cluster';
import { startReceiver } from '../../support/webhook-receiver';
import { waitUntil } from '../../support/wait';

const PREFIX = `${testQueuePrefix()}-cluster`;

/**
 * Issue 20: the service on a three-node Redis Cluster (REDIS_CLUSTER=true). BullMQ's scripts touch
 * several keys of a queue at once, which a cluster refuses (CROSSSLOT) unless they share a slot: the
 * `{prefix}` hash tag is what makes a sign-in's audit drain and webhook delivery run at all here.
 */
describe('on a Redis Cluster', () => {
  let cluster: RedisClusterNodes;
  let app: App;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    app = await startPublicTestApp({
      ROLE: 'all',
      REDIS_URL: cluster.url,
      REDIS_CLUSTER: 'true',
      QUEUE_PREFIX: PREFIX,
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_POLL_INTERVAL_MS: '100',
      AUDIT_DRAIN_INTERVAL_MS: '100',
    });
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await cluster?.stop();
  });

  /** Every key of the cluster whose name starts with `pattern`'s prefix, by node port. */
  async function keysByNode(pattern: string): Promise<Map<number, string[]>> {
    const found = new Map<number, string[]>();
    for (const [at, node] of cluster.nodes().entries()) {
      const keys = await node.keys(pattern);
      if (keys.length > 0) found.set(cluster.ports[at]!, keys);
    }
    return found;
  }

  it('runs a sign-in whose audit drain and webhook delivery go through the cluster, every queue key in one slot', async () => {
    await resetDatabase();
    const { customer, apiKey } = await createTestCustomer(app, 'acme');
    const receiver = await startReceiver();
    try {
      await sdk(app).request(CreateWebhookEndpointDocument, { customerId: customer.id, input: { url: receiver.url, events: ['profile.created'] } });
      const login = await startLogin(app, 'acme');
      expect((await postback(app, 'acme', { request_id: login.requestId, api_key: apiKey, username: 'alice', sreg_email: 'alice@example.org' })).status).toBe(200);

      await waitUntil('the webhook receiver to get the profile.created event', () => receiver.received.length === 1, { timeoutMs: 15_000 });
      expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ type: 'profile.created', customerId: customer.id });
      await waitUntil('the audit drain to store every outbox row', async () => ((await ownerSql(`select count(*)::int as n from audit_outbox where audited_at is null`))[0] as { n: number }).n === 0, { timeoutMs: 15_000 });
      expect(((await ownerSql(`select count(*)::int as n from audit_event where action = 'profile.created'`))[0] as { n: number }).n).toBe(1);
    } finally {
      await receiver.stop();
    }

    // The jobs ran on the cluster's queues, and the service's own Redis (6379) saw none of them.
    const seen = new Cluster([{ host: '127.0.0.1', port: cluster.ports[0]! }]);
    try {
      // Deliveries are removed once done: their queue's event stream still tells each completion.
      for (const name of [QUEUES.audit, QUEUES.webhookDelivery]) {
        const events = await seen.xrange(`{${PREFIX}}:${name}:events`, '-', '+');
        expect(events.filter(([, fields]) => fields[0] === 'event' && fields[1] === 'completed').length).toBeGreaterThan(0);
      }
      const slot = await seen.cluster('KEYSLOT', `{${PREFIX}}`);
      const queueKeys = await keysByNode(`{${PREFIX}}:*`);
      expect(queueKeys.size).toBe(1);
      const [keys] = [...queueKeys.values()];
      expect(keys).toEqual(expect.arrayContaining([`{${PREFIX}}:${QUEUES.audit}:meta`, `{${PREFIX}}:${QUEUES.webhookDelivery}:meta`]));
      // The service keeps running (its schedulers add and remove keys), so each key is asked its slot
      // rather than the slot's count compared with a listing made a moment earlier.
      const slots = new Set(await Promise.all(keys!.map((key) => seen.cluster('KEYSLOT', key))));
      expect([...slots]).toEqual([slot]);
    } finally {
      seen.disconnect();
    }
    const local = new Redis(TEST_REDIS_URL);
    try {
      expect(await local.keys(`*${PREFIX}*`)).toEqual([]);
    } finally {
      local.disconnect();
    }
  });

  it('keeps the postback rate counter in the cluster: its lockout-and-count script runs there, not in one instance\'s memory', async () => {
    // The sign-in above passed through `admit`, one script over a lockout key and a counter key.
    const counters = [...(await keysByNode(`{${PREFIX}:abuse}:*`)).values()].flat();
    expect(counters).toContain(`{${PREFIX}:abuse}:rate:ows_auth:acme:127.0.0.1`);
  });
});
