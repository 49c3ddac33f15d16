export { startTracing } from './tracing';
export type { Tracing, TracingOptions } from './tracing';
export { httpSpans, spanRoute } from './http-spans';
export { graphqlSpans } from './graphql-spans';
export { traceOrm, traceSqlPool } from './sql-spans';
export { traceRedis } from './redis-spans';
export { inJobSpan, jobTelemetry } from './job-spans';
export { activeTraceParent, linkActiveSpan } from './links';
export { formatTraceParent, parseTraceParent } from './trace-parent';
