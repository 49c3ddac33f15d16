import { createServer as createTcpServer, AddressInfo, Server } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { OutboundGuard } from '../../../src/shared/net/outbound-guard';
import { sendWebhook } from '../../../src/webhooks/sender';

/** What one attempt records when the receiver fails in each way, against real sockets on loopback. */
describe('a webhook attempt names its failure by class, never by socket message', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  async function listen(server: Server): Promise<number> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  const guard = new OutboundGuard({
    allowPrivate: true,
    resolve: async (host) => {
      if (host === 'receiver.test') return [{ address: '127.0.0.1', family: 4 }];
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    },
  });
  const send = (url: string, timeoutMs = 5000) => sendWebhook(url, {}, '{}', timeoutMs, guard);

  it('connect_failed: nothing listens on the port', async () => {
    const closed = createTcpServer();
    const port = await listen(closed);
    servers.pop();
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await send(`http://receiver.test:${port}/in`)).toMatchObject({ statusCode: null, failure: 'connect_failed', errorCode: 'ECONNREFUSED' });
  });

  it('tls_failed: the port answers, but not with TLS', async () => {
    const port = await listen(createHttpServer((_req, res) => res.end('plain')));
    expect(await send(`https://receiver.test:${port}/in`)).toMatchObject({ statusCode: null, failure: 'tls_failed' });
  });

  it('response_failed: connected, then the receiver hangs up without an answer', async () => {
    const port = await listen(createHttpServer((req) => req.socket.destroy()));
    expect(await send(`http://receiver.test:${port}/in`)).toMatchObject({ statusCode: null, failure: 'response_failed' });
  });

  it('timeout: the receiver never answers', async () => {
    const port = await listen(createHttpServer(() => undefined));
    expect(await send(`http://receiver.test:${port}/in`, 300)).toMatchObject({ statusCode: null, failure: 'timeout' });
  });

  it('dns_failed: the name does not resolve', async () => {
    expect(await send('http://missing.test/in')).toMatchObject({ statusCode: null, failure: 'dns_failed', errorCode: 'ENOTFOUND' });
  });

  it('no failure when the receiver answers, whatever the status', async () => {
    const port = await listen(createHttpServer((_req, res) => res.writeHead(503).end()));
    expect(await send(`http://receiver.test:${port}/in`)).toMatchObject({ statusCode: 503, failure: null });
  });
});
