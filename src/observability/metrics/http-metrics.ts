import { RequestHandler, Response, Router } from 'express';
import type { Secret } from '../../config';
import { secretsEqual } from '../../shared/secret-compare';
import type { AppMetrics } from './app-metrics';
import { routeTemplate } from './labels';

/**
 * The HTTP side of the metrics, as one middleware for the front of every region's app: counts and
 * times each request by route template (read when the answer is finished, when Express has
 * matched it) and serves GET /metrics on the main port. That endpoint exists only with a
 * METRICS_TOKEN: without one it falls through to the common 404, so the main port does not even say
 * it has metrics; with one, a request without the right bearer token is answered 401.
 */
export function httpMetrics(metrics: AppMetrics, token: Secret | null): RequestHandler {
  const router = Router();
  router.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      // req.route is the matched route (its path is the template); req.baseUrl only names a fixed mount.
      const labels = { method: methodLabel(req.method), route: routeTemplate((req.route as { path?: unknown } | undefined)?.path, req.baseUrl), status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  });
  router.get('/metrics', async (req, res, next) => {
    if (!token) return next();
    const presented = /^Bearer ([!-~]+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (presented === undefined || !secretsEqual(presented, token.reveal())) {
      res.set({ 'WWW-Authenticate': 'Bearer realm="metrics"', 'Cache-Control': 'no-store' });
      res.status(401).type('text/plain').send('error: unauthorized\n');
      return;
    }
    await sendScrape(res, metrics);
  });
  return router;
}

async function sendScrape(res: Response, metrics: AppMetrics): Promise<void> {
  const { contentType, body } = await metrics.scrape();
  res.set({ 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  res.status(200).send(body);
}

const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The request method as a label: Node accepts any token as a method, so unknown ones are `other`. */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'other';
}
