import { trace } from '@opentelemetry/api';
import { formatTraceParent, parseTraceParent } from './trace-parent';

/** The active span's traceparent, or null outside one: what a traced unit of work stores with the audit events it writes. */
export function activeTraceParent(): string | null {
  const span = trace.getActiveSpan();
  return span ? formatTraceParent(span.spanContext()) : null;
}

/**
 * Links the active span (a job's) to the spans named by stored `traceparent` values: how the audit
 * drain, a scheduled job that no request enqueued, shows the sign-ins whose events it chained.
 * Nothing happens when tracing is off (there is no active span) or a value is not one.
 */
export function linkActiveSpan(traceParents: Iterable<unknown>): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  const seen = new Set<string>();
  for (const value of traceParents) {
    const linked = parseTraceParent(value);
    if (!linked || seen.has(linked.spanId)) continue;
    seen.add(linked.spanId);
    span.addLink({ context: linked });
  }
}
