/**
 * The statement that tells PostgreSQL which span a login-path connection's next statements run
 * under, for the day an audit event it writes is drained: `audit_outbox.trace_parent` defaults to
 * `ids_trace_parent()`, which reads this setting (see the AuditTraceParent migration). Session
 * level (not `SET LOCAL`): each login step is a transaction of its own, and the tracing wrapper
 * (observability/tracing/sql-spans.ts) sets it again whenever the active span changes.
 */
export const SET_TRACE_PARENT = { name: 'ids_set_trace_parent', text: `select set_config('app.traceparent', $1, false)` } as const;
