import { Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, SimpleSpanProcessor, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { Config } from '../../config';

/** The instrumentation's name on every span (its `otel.scope.name`). */
export const TRACER_NAME = 'identity-services';

/** One app's tracing: the tracer handed to every instrumented part, and the provider behind it. */
export interface Tracing {
  tracer: Tracer;
  /** Sends the spans still buffered and stops exporting (app.stop()). */
  shutdown(): Promise<void>;
}

/** Longest one export may take, also the flush at stop. */
const EXPORT_TIMEOUT_MS = 5000;

export interface TracingOptions {
  /** Where spans go instead of the OTLP collector (tests: an InMemorySpanExporter); each span is handed over as it ends. */
  exporter?: SpanExporter;
}

/**
 * The app's tracing, or null when OTEL_EXPORTER_OTLP_ENDPOINT is unset: then nothing is wrapped
 * and no span is ever made. Each app has a provider of its own (several apps run in one test
 * process); only the context manager and the propagator are process-wide (registered once).
 */
export function startTracing(config: Config, options: TracingOptions = {}): Tracing | null {
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
  registerContextOnce();
  const exporter = options.exporter;
  const provider = new BasicTracerProvider({
    // Every request is traced, also one whose caller says its trace is not sampled: the flag is
    // client text, and would otherwise let whoever sends it keep their requests out of our traces.
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler(), remoteParentNotSampled: new AlwaysOnSampler() }),
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME }),
    spanProcessors: [
      exporter
        ? new SimpleSpanProcessor(exporter)
        : new BatchSpanProcessor(
            new OTLPTraceExporter({
              url: `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`,
              headers: parseHeaders(config.OTEL_EXPORTER_OTLP_HEADERS?.reveal()),
              timeoutMillis: EXPORT_TIMEOUT_MS,
            }),
            // A collector that is down must not hold a stop (SIGTERM) for long: the last spans are given up instead.
            { exportTimeoutMillis: EXPORT_TIMEOUT_MS },
          ),
    ],
  });
  return { tracer: provider.getTracer(TRACER_NAME), shutdown: () => provider.shutdown() };
}

/** OTEL_EXPORTER_OTLP_HEADERS (`k=v,k2=v2`, values percent-encoded; checked by the config schema) as a header map. */
export function parseHeaders(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of value ? value.split(',') : []) {
    const at = pair.indexOf('=');
    headers[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}

let registered = false;

/**
 * The AsyncLocalStorage context manager (through which a request's span is the parent of the SQL
 * and Redis spans made on its behalf) and the W3C trace-context propagator, once per process. The
 * provider registered alongside makes no span of ours: every part is given its app's tracer.
 */
function registerContextOnce(): void {
  if (registered) return;
  registered = true;
  new NodeTracerProvider().register({ propagator: new W3CTraceContextPropagator() });
}
