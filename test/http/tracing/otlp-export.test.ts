import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { testEnv } from '../../support/config';
import { testQueuePrefix } from '../../support/env';
import { ensureStopped, ServiceProcess, spawnService } from '../../support/process';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * The real exporter, in the service as deployed (a child process: the OTLP exporter loads Node's
 * http module by dynamic import, which Jest's module loader does not run).
 */
describe('tracing to an OTLP collector', () => {
  let proc: ServiceProcess | undefined;
  afterEach(() => ensureStopped(proc));

  it('sends the spans to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces with OTEL_EXPORTER_OTLP_HEADERS, and flushes them on SIGTERM', async () => {
    const received: Received[] = [];
    const collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/`;
      proc = spawnService(
        testEnv({
          ROLE: 'api',
          PORT: '0',
          LOG_LEVEL: 'info',
          QUEUE_PREFIX: `${testQueuePrefix()}-otlp`,
          OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
          OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-key=k%2C1',
          OTEL_SERVICE_NAME: 'ids-under-test',
        }),
      );
      const listening = await proc.waitForLog((e) => e.msg === 'HTTP server listening');
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      expect((await fetch(`${String(listening.url)}/healthz`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })).status).toBe(200);
      // Batched: nothing need have been sent yet; the stop flushes.
      proc.child.kill('SIGTERM');
      expect((await proc.exited).code).toBe(0);
      const traces = received.filter((r) => r.path === '/v1/traces');
      expect(traces.length).toBeGreaterThan(0);
      expect(traces[0]!.headers['x-collector-key']).toBe('k,1');
      const body = traces.map((t) => t.body).join('\n');
      expect(body).toContain('HTTP GET /healthz');
      expect(body).toContain('ids-under-test');
      expect(body).toContain(traceId);
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  }, 30_000);
});
