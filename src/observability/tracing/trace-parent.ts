import { SpanContext, TraceFlags } from '@opentelemetry/api';

/**
 * A span's context as a W3C `traceparent` value (https://www.w3.org/TR/trace-context/#traceparent-header),
 * and back. Stored with the rows a traced request writes (the audit outbox), so the job that later
 * reads them can link its span to the request's. Only our own spans' contexts are written: hex ids
 * and flags, nothing a client chose beyond its trace id.
 */
const TRACE_PARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const INVALID_TRACE_ID = /^0{32}$/;
const INVALID_SPAN_ID = /^0{16}$/;

export function formatTraceParent(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & TraceFlags.SAMPLED ? 1 : 0).toString(16).padStart(2, '0')}`;
}

/** The span context a stored `traceparent` names, or null for anything else (never throws). */
export function parseTraceParent(value: unknown): SpanContext | null {
  if (typeof value !== 'string') return null;
  const match = TRACE_PARENT.exec(value);
  if (!match || INVALID_TRACE_ID.test(match[1]!) || INVALID_SPAN_ID.test(match[2]!)) return null;
  return { traceId: match[1]!, spanId: match[2]!, traceFlags: parseInt(match[3]!, 16) & TraceFlags.SAMPLED, isRemote: true };
}
