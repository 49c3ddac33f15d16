import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE, PLATFORM_ROLE } from '../tenant-tables';

/**
 * The trace context of the request that wrote an audit event (issue 20, tracing), so the audit
 * drain's span can link to it. The column's default reads the connection's `app.traceparent`,
 * which the traced login path sets (observability/tracing/sql-spans.ts): no SQL function that
 * writes the outbox changes. Only a well-formed W3C traceparent is kept; anything else (unset,
 * empty, tracing off) is null, and the insert never fails on it.
 */
export class Migration20261205000000AuditTraceParent extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create or replace function ids_trace_parent() returns text language sql stable as $$
      select v from (select current_setting('app.traceparent', true) as v) s
       where v ~ '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$'
    $$;`);
    this.addSql(`revoke all on function ids_trace_parent() from public;`);
    this.addSql(`grant execute on function ids_trace_parent() to ${APP_ROLE}, ${PLATFORM_ROLE};`);
    this.addSql(`alter table "audit_outbox" add column "trace_parent" text null default ids_trace_parent();`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "audit_outbox" drop column if exists "trace_parent";`);
    this.addSql(`drop function if exists ids_trace_parent();`);
  }
}
