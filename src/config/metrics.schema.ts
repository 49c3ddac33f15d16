import { z } from 'zod';

/**
 * The variables of the Prometheus metrics endpoint (issue 20); part of configSchema. GET /metrics is
 * served on the main port only with a bearer token, or without one on a listener of its own
 * (METRICS_PORT, loopback by default), which is also how a worker-only process is scraped.
 */
export const metricsConfigShape = {
  METRICS_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe('Bearer token that GET /metrics on the main port requires. Unset: the main port answers 404 for /metrics.'),
  METRICS_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .optional()
    .describe('Serves GET /metrics, without a token, on a listener of its own at METRICS_HOST:METRICS_PORT (0 picks a free one); the way to scrape ROLE=worker. Unset: no such listener.'),
  METRICS_HOST: z.string().default('127.0.0.1').describe('Address the METRICS_PORT listener binds to; keep it private (loopback or an internal network), as it asks for no token.'),
};
