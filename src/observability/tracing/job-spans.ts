import { Context, SpanKind, SpanStatusCode, Tracer } from '@opentelemetry/api';
import { BullMQOtel, BullMQOTelSpan } from 'bullmq-otel';
import type { Span as BullSpan, Telemetry } from 'bullmq';

/**
 * BullMQ's `telemetry` option (bullmq-otel) on this app's tracer: an `add` (a producer span, child
 * of the request that enqueued the job) stores the trace context in the job, and the worker's
 * `process` span (a consumer span) continues it, so a job's own spans belong to the trace of the
 * request that asked for it. BullMQ's bookkeeping spans (polling for the next job, stalled checks,
 * closing) are not made: a worker would otherwise emit one every few seconds while idle.
 */
export function jobTelemetry(tracer: Tracer): Telemetry<Context> {
  // bullmq-otel's context manager: the process-wide context and the W3C propagator, serialised in the job.
  const { contextManager } = new BullMQOtel('bullmq');
  return {
    contextManager,
    tracer: {
      startSpan(name, options, ctx?: Context): BullSpan<Context> {
        const kind = options?.kind as number | undefined;
        if (kind !== SpanKind.PRODUCER && kind !== SpanKind.CONSUMER) return UNTRACED;
        return new BullMQOTelSpan(tracer.startSpan(name, { kind }, ctx)) as unknown as BullSpan<Context>;
      },
    },
  };
}

/** A span of BullMQ's that is not made: it leaves the context as it was, so work under it keeps its parent. */
const UNTRACED: BullSpan<Context> = {
  setSpanOnContext: (ctx) => ctx,
  setAttribute: () => undefined,
  setAttributes: () => undefined,
  addEvent: () => undefined,
  recordException: () => undefined,
  end: () => undefined,
};

/**
 * Runs one job's handler in a span `job <queue>/<name>` (child of BullMQ's `process` span), so a
 * trace shows which handler ran; a failure is recorded by its error's name only.
 */
export function inJobSpan<T>(tracer: Tracer, queue: string, name: string, run: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(`job ${queue}/${name}`, { attributes: { 'messaging.destination.name': queue, 'job.name': name } }, async (span) => {
    try {
      return await run();
    } catch (err) {
      span.setAttribute('error.type', err instanceof Error ? err.name : 'error');
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}
