import { Writable } from 'node:stream';
import { App } from '../../../src/app';
import { createLogger } from '../../../src/shared/logger';
import { createTestCustomer, resetDatabase, startTestApp } from '../../support/app';
import { graphql } from '../../support/graphql';
import { testAppDatabaseUrl } from '../../support/env';
import { startTcpProxy, TcpProxy } from '../../support/tcp-proxy';
import { waitUntil } from '../../support/wait';

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - started };
}

/**
 * The shared PostgreSQL cannot be restarted under other tests, so the service reaches it through a
 * TCP proxy this test cuts (open connections dropped, new ones held unanswered) and restores.
 */
describe('PostgreSQL unreachable while the API runs', () => {
  let proxy: TcpProxy | undefined;
  let app: App | undefined;
  afterEach(async () => {
    await app?.stop().catch(() => undefined);
    await proxy?.close();
  });

  it('reports 503 on /readyz, fails requests with 503 within seconds, and recovers without a restart', async () => {
    const direct = new URL(testAppDatabaseUrl());
    proxy = await startTcpProxy(Number(direct.port || 5432), direct.hostname);
    const viaProxy = new URL(direct.toString());
    viaProxy.port = String(proxy.port);
    const logged: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(...chunk.toString('utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>));
        done();
      },
    });
    app = await startTestApp({ DATABASE_URL: viaProxy.toString() }, { log: createLogger('warn', destination) });
    await resetDatabase();
    await createTestCustomer(app, 'acme');
    const url = app.url!;
    expect((await fetch(`${url}/c/acme/`)).status).toBe(200);
    expect((await graphql(url, '{ customers { nodes { slug } } }')).status).toBe(200);

    proxy.cut();
    const ready = await timed(() => fetch(`${url}/readyz`));
    expect(ready.value.status).toBe(503);
    expect(await ready.value.text()).toMatch(/^postgres: /m);
    expect(ready.ms).toBeLessThan(5000);

    // A postback needs the database (a discovery document is answered from the customer cache, so it is not the probe here).
    const postback = () => fetch(`${url}/c/acme/ows_auth`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'api_key=k&request_id=r' });
    for (const request of [postback, () => fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer x' }, body: '{"query":"{ __typename }"}' })]) {
      const { value: res, ms } = await timed(request);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.text()).toMatch(/^error: service_unavailable\nrequest_id: /);
      expect(ms).toBeLessThan(10_000);
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    // The dropped connections are reported in the service's JSON log, not by knex's console.log.
    await waitUntil('the dropped connection in the log', () => logged.some((entry) => entry.component === 'knex' && /^Connection Error: /.test(String(entry.msg))));

    proxy.restore();
    await waitUntil('/readyz to answer 200 again', async () => (await fetch(`${url}/readyz`)).status === 200, { timeoutMs: 15_000, intervalMs: 100 });
    expect((await fetch(`${url}/c/acme/`)).status).toBe(200);
    expect((await graphql(url, '{ customers { nodes { slug } } }')).data).toEqual({ customers: { nodes: [{ slug: 'acme' }] } });
  }, 60_000);
});
