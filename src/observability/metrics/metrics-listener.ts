import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { StartupError } from '../../shared/startup-error';
import type { AppMetrics } from './app-metrics';

export interface MetricsListener {
  /** The base URL it listens on (useful with METRICS_PORT=0). */
  url: string;
  close(): Promise<void>;
}

/**
 * GET /metrics without a token on a listener of its own (METRICS_HOST:METRICS_PORT): for a private
 * address only, and the way to scrape a worker-only process, which has no HTTP server otherwise.
 * Anything else it answers 404.
 */
export async function startMetricsListener(metrics: AppMetrics, host: string, port: number): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' }).end('error: not_found\n');
      return;
    }
    metrics.scrape().then(
      ({ contentType, body }) => res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body),
      () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('error: internal_error\n'),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw code === 'EADDRINUSE' ? new StartupError(`METRICS_PORT ${port} on ${host} is already in use; set METRICS_PORT to a free one`) : err;
  }
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
