import { connect } from 'node:net';
import { testEnv } from '../../support/config';
import { TEST_ADMIN_TOKEN } from '../../support/env';
import { ensureStopped, ServiceProcess, spawnService } from '../../support/process';
import { waitUntil } from '../../support/wait';

describe('graceful shutdown of the API', () => {
  let proc: ServiceProcess | undefined;
  afterEach(() => ensureStopped(proc));

  it('finishes a request in flight when SIGTERM arrives, refuses new connections, and exits 0', async () => {
    proc = spawnService(testEnv({ ROLE: 'api', LOG_LEVEL: 'info' }));
    const listening = await proc.waitForLog((e) => e.msg === 'HTTP server listening');
    const url = new URL(String(listening.url));

    // Send the headers and half the body of a GraphQL request, then signal, then finish the body.
    // `Expect: 100-continue` makes the server say when it has read the headers: from then on the
    // request is in flight.
    const body = JSON.stringify({ query: '{ customers(first: 1) { nodes { id } } }' });
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let text = '';
    socket.on('data', (d) => (text += d.toString('utf8')));
    const response = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nConnection: close\r\nExpect: 100-continue\r\nAuthorization: Bearer ${TEST_ADMIN_TOKEN}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    await waitUntil('the server to read the request headers (100 Continue)', () => text.startsWith('HTTP/1.1 100 Continue\r\n\r\n'), { timeoutMs: 5000 });
    proc.child.kill('SIGTERM');
    await proc.waitForLog((e) => e.msg === 'shutting down');
    await waitUntil('the server to refuse new connections', () => fetch(`${url.origin}/healthz`).then(() => false, () => true), { timeoutMs: 5000 });
    await expect(fetch(`${url.origin}/healthz`)).rejects.toThrow();

    socket.write(body.slice(10));
    const raw = await response;
    expect(raw).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    expect(raw).toContain('"customers"');
    expect((await proc.exited).code).toBe(0);
  });
});
