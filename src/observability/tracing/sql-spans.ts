import { Context, context, Span, SpanKind, SpanStatusCode, trace, Tracer } from '@opentelemetry/api';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Pool, PoolClient } from 'pg';
import { SET_TRACE_PARENT } from '../../db/trace-context';
import { formatTraceParent } from './trace-parent';

/**
 * SQL spans, `SQL <statement name or first keyword>`, with the statement's text as written: with
 * its `$1`/`?` placeholders, never a parameter's value (values are not recorded at all). Made only
 * inside a traced unit of work (a request or a job): a statement with no active span is not traced.
 * Errors are recorded by SQLSTATE alone, since PostgreSQL's messages may quote a value.
 */

/** Ends `span` as a statement's outcome. */
function endStatement(span: Span, err?: unknown): void {
  if (err) {
    span.setAttribute('error.type', String((err as { code?: unknown }).code ?? 'error'));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

function startStatement(tracer: Tracer, parent: Context, text: string, name?: string): Span {
  const operation = name ?? /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase() ?? 'statement';
  return tracer.startSpan(`SQL ${operation}`, { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', ...(text ? { 'db.query.text': text } : {}) } }, parent);
}

type Query = (...args: unknown[]) => unknown;

/**
 * Traces the login path's pool (src/db/sql-pool.ts): each connection's `query`, as it connects.
 * Before a statement, the connection's `app.traceparent` is set to the active span when it holds
 * another, so the audit events the statement writes name the request that wrote them: one more
 * statement on the connection when the span changes (each traced request's first statement on
 * it), none while it stays. pg wants a connection's statements one after the other, so the
 * statement waits for that one.
 */
export function traceSqlPool(pool: Pool, tracer: Tracer): void {
  pool.on('connect', (client: PoolClient) => {
    const query = client.query.bind(client) as Query;
    let traceParent = '';
    (client as unknown as { query: Query }).query = (...args: unknown[]) => {
      const parent = context.active();
      const active = trace.getSpan(parent);
      const wanted = active ? formatTraceParent(active.spanContext()) : '';
      const first = args[0] as string | { text?: string; name?: string; submit?: unknown } | null | undefined;
      const statement = typeof first === 'string' ? { text: first } : first;
      // A cursor or stream (a Submittable) is passed through untraced.
      const span = active && statement && typeof statement.submit !== 'function' ? startStatement(tracer, parent, statement.text ?? '', statement.name) : null;
      const callbackAt = args.findIndex((a) => typeof a === 'function');
      if (callbackAt >= 0) {
        const callback = args[callbackAt] as (err: unknown, result: unknown) => void;
        args[callbackAt] = (err: unknown, result: unknown) => {
          if (span) endStatement(span, err);
          callback(err, result);
        };
      }
      const run = () => {
        const result = query(...args) as Promise<unknown> | undefined;
        if (span && callbackAt < 0) result?.then(
          () => endStatement(span),
          (err: unknown) => endStatement(span, err),
        );
        return result;
      };
      if (wanted === traceParent) return run();
      traceParent = wanted;
      const carried = (query({ ...SET_TRACE_PARENT, values: [wanted] }) as Promise<unknown>).catch(() => {
        traceParent = '?'; // unknown: set again next time
      });
      const result = carried.then(run);
      return callbackAt >= 0 ? undefined : result;
    };
  });
}

/**
 * Traces a MikroORM instance's statements at its connection's `executeQuery`, the one place every
 * ORM statement passes with its text still unformatted (further down, MikroORM inlines the values
 * into the SQL it hands to knex, which is why knex's query events are not used).
 */
export function traceOrm(orm: MikroORM, tracer: Tracer): void {
  const connection = orm.em.getConnection() as unknown as { executeQuery: (query: string, cb: () => Promise<unknown>, ctx?: { query?: unknown }) => Promise<unknown> };
  const executeQuery = connection.executeQuery.bind(connection);
  connection.executeQuery = async (query, cb, ctx) => {
    const parent = context.active();
    if (!trace.getSpan(parent)) return executeQuery(query, cb, ctx);
    // Only the placeholder form is recorded; a statement without it is named, its text left out.
    const span = startStatement(tracer, parent, typeof ctx?.query === 'string' ? ctx.query : '');
    try {
      const result = await context.with(trace.setSpan(parent, span), () => executeQuery(query, cb, ctx));
      endStatement(span);
      return result;
    } catch (err) {
      endStatement(span, err);
      throw err;
    }
  };
}
