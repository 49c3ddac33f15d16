import { z } from 'zod';
import { Secret } from './secret';

/** One `key=value` pair of OTEL_EXPORTER_OTLP_HEADERS (W3C baggage-like, values percent-encoded). */
const HEADER_PAIR = /^\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+\s*=\s*[^,=\s][^,]*$/;

/**
 * The OpenTelemetry variables the service reads (issue 20), by their standard names, so the same
 * environment that configures other services' SDKs configures ours; part of configSchema. Tracing
 * is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
 */
export const tracingConfigShape = {
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .url()
    .refine((v) => /^https?:\/\//.test(v) && !/[?#]/.test(v), 'must be an http(s) URL without query or fragment')
    .optional()
    .describe('Base URL of an OTLP/HTTP collector; traces are sent to its `/v1/traces`. Unset (the default), tracing is off and costs nothing.'),
  OTEL_SERVICE_NAME: z
    .string()
    .min(1)
    .max(100)
    .default('identity-services')
    .describe('The `service.name` resource attribute of every span.'),
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .refine((v) => v.split(',').every((pair) => HEADER_PAIR.test(pair)), 'must be key=value pairs separated by commas')
    .transform((v) => new Secret(v))
    .optional()
    .describe('Headers sent with every export, as `key=value` pairs separated by commas (values percent-encoded), e.g. a collector API key. Never logged.'),
};
