import { App } from '../../../src/app';
import type { ResolvedAddress } from '../../../src/shared/net/outbound-guard';
import { CreateWebhookEndpointDocument, SendTestWebhookDocument, UpdateWebhookEndpointDocument, WebhookDeliveriesDocument } from '../../../clients/typescript/src';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { sdk } from '../../support/sdk';
import { startReceiver } from '../../support/webhook-receiver';

/**
 * Webhook URLs may not reach the service's own host or network (server-side request forgery), in
 * whatever form the address is written, when saved and again when a delivery connects; and an
 * attempt tells the endpoint's owner a failure class, never the socket's message.
 */
describe('webhook endpoints and deliveries refuse internal addresses', () => {
  let app: App;
  let customerId: string;
  // What the injected resolver answers for every name.
  let answer: ResolvedAddress[] = [];
  const PUBLIC: ResolvedAddress[] = [{ address: '93.184.216.34', family: 4 }];

  beforeAll(async () => {
    app = await startPublicTestApp({}, { resolve: async () => answer });
  });
  afterAll(() => app.stop());
  async function createEndpoint(url: string): Promise<string> {
    const { createWebhookEndpoint } = await sdk(app).request(CreateWebhookEndpointDocument, { customerId, input: { url, events: ['profile.created'] } });
    return createWebhookEndpoint.endpoint.id;
  }

  /** Queues a test event and makes its first attempt now, as the delivery worker would. */
  async function attemptTestEvent(endpointId: string) {
    const { sendTestWebhook } = await sdk(app).request(SendTestWebhookDocument, { endpointId });
    await app.services.webhooks.dispatcher.deliver(sendTestWebhook.id, 1);
    const { webhookDeliveries } = await sdk(app).request(WebhookDeliveriesDocument, { filter: { endpointId }, first: 5 });
    return webhookDeliveries.nodes[0]!;
  }

  // Each host as written in the URL; the WHATWG parser rewrites many of them (0x7f.1 is 127.0.0.1,
  // [::ffff:127.0.0.1] is [::ffff:7f00:1]) before the address is checked.
  const REFUSED_HOSTS = [
    '127.0.0.1',
    '127.255.255.254',
    '127.1', // short forms
    '127.0.1',
    '0',
    '0.0.0.0',
    '2130706433', // decimal
    '0x7f000001', // hex
    '0x7f.0x0.0x0.0x1',
    '0177.0.0.1', // octal
    '017700000001',
    '127.0.0.1.', // trailing dot
    '①②⑦.0.0.1', // IDNA maps these digits
    '10.0.0.1',
    '172.16.0.1',
    '192.168.0.1',
    '169.254.169.254', // cloud metadata
    '0xa9fea9fe',
    '100.64.0.1', // carrier-grade NAT
    '224.0.0.1',
    '255.255.255.255',
    '192.0.2.1', // documentation
    '198.18.0.1', // benchmarking
    '240.0.0.1',
    '[::1]',
    '[::]',
    '[0:0:0:0:0:0:0:1]',
    '[::ffff:127.0.0.1]', // IPv4-mapped
    '[::ffff:7f00:1]',
    '[::FFFF:7F00:1]',
    '[0:0:0:0:0:ffff:7f00:1]',
    '[::ffff:169.254.169.254]',
    '[::127.0.0.1]', // IPv4-compatible
    '[::ffff:0:127.0.0.1]', // IPv4-translated
    '[64:ff9b::127.0.0.1]', // NAT64
    '[64:ff9b::a9fe:a9fe]',
    '[64:ff9b:1::a00:1]', // local-use NAT64
    '[2002:7f00:1::]', // 6to4
    '[2002:a9fe:a9fe::1]',
    '[2001:0:4136:e378:8000:63bf:80ff:fffe]', // Teredo, client 127.0.0.1
    '[fe80::1]',
    '[fe80::1%25eth0]', // zone id: the URL parser refuses it
    '[fc00::1]',
    '[fd00:ec2::254]', // cloud metadata over IPv6
    '[fec0::1]',
    '[ff02::1]',
    '[2001:db8::1]',
    '[100::1]',
  ];

  describe('at save time', () => {
    let endpointId: string;
    let before: Record<string, number>;
    beforeAll(async () => {
      await resetDatabase();
      ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
      endpointId = await createEndpoint('https://93.184.216.34/hook');
      before = await tableCounts();
    });

    it.each(REFUSED_HOSTS)('refuses https://%s/ as a new endpoint or a changed URL', async (host) => {
      for (const url of [`https://${host}/hook`, `https://${host}:8443/hook`]) {
        const created = await sdk(app).execute(CreateWebhookEndpointDocument, { customerId, input: { url, events: ['profile.created'] } });
        expect({ url, errors: created.errors }).toEqual({ url, errors: [expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'url' })] });
        const updated = await sdk(app).execute(UpdateWebhookEndpointDocument, { id: endpointId, input: { url } });
        expect({ url, errors: updated.errors }).toEqual({ url, errors: [expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'url' })] });
      }
    });

    it('refuses a name that resolves to an internal address, without saying which address', async () => {
      answer = [...PUBLIC, { address: '10.1.2.3', family: 4 }];
      try {
        const res = await sdk(app).execute(CreateWebhookEndpointDocument, { customerId, input: { url: 'https://hooks.example.com/in', events: ['profile.created'] } });
        expect(res.errors).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'url' })]);
        expect(res.errors[0]!.message).not.toContain('10.1.2.3');
      } finally {
        answer = PUBLIC;
      }
    });

    it(`wrote nothing for any of those ${REFUSED_HOSTS.length} hosts or the name`, async () => {
      expect(await tableCounts()).toEqual(before);
      expect(await ownerSql(`select url from webhook_endpoint`)).toEqual([{ url: 'https://93.184.216.34/hook' }]);
    });
  });

  describe('at connect time', () => {
    beforeEach(async () => {
      answer = PUBLIC;
      await resetDatabase();
      ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
    });

    it.each(['127.0.0.1', '::1', '::ffff:7f00:1', '169.254.169.254'])(
      'refuses to connect when the saved name now resolves to %s (DNS rebinding): address_refused, no connection',
      async (address) => {
        const receiver = await startReceiver();
        try {
          const endpointId = await createEndpoint(`https://hooks.example.com:${receiver.port}/in`);
          answer = [{ address, family: address.includes(':') ? 6 : 4 }];
          const delivery = await attemptTestEvent(endpointId);
          expect(delivery.attempts).toEqual([{ attemptedAt: expect.any(String), statusCode: null, latencyMs: expect.any(Number), error: 'address_refused' }]);
          expect(receiver.connections()).toBe(0);
        } finally {
          await receiver.stop();
        }
      },
    );

    it('refuses to connect to an internal literal saved before the check existed, and shows old socket errors only as a class', async () => {
      const receiver = await startReceiver();
      try {
        const endpointId = await createEndpoint('https://93.184.216.34/hook');
        await ownerSql(`update webhook_endpoint set url = ?`, [`https://[::ffff:7f00:1]:${receiver.port}/hook`]);
        const delivery = await attemptTestEvent(endpointId);
        expect(delivery.attempts.map((a) => a.error)).toEqual(['address_refused']);
        expect(receiver.connections()).toBe(0);

        await ownerSql(`update webhook_attempt set error = 'connect ECONNREFUSED 10.0.0.5:6379'`);
        const { webhookDeliveries } = await sdk(app).request(WebhookDeliveriesDocument, { filter: { endpointId }, first: 5 });
        expect(webhookDeliveries.nodes[0]!.attempts.map((a) => a.error)).toEqual(['connect_failed']);
      } finally {
        await receiver.stop();
      }
    });
  });
});
