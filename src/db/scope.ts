import { AsyncLocalStorage } from 'node:async_hooks';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Logger } from '../shared/logger';

/**
 * Whose rows one database transaction may see: one customer's, nobody's, or, on the platform path,
 * every customer's.
 *
 * - `customer`: requests of one customer's AW, RPs, clients and customer-bound operators. Enforced by
 *   PostgreSQL row-level security on the service's role, `ids_app` (see the RowLevelSecurity and
 *   PlatformRole migrations).
 * - `nobody`: where a unit of work starts before it knows its customer. A credential presented to it
 *   (an API key, an OAuth client, a bearer token) is checked by a SECURITY DEFINER function that
 *   enters the credential's customer and answers only the caller's grant: no row is visible before.
 * - `platform`: the platform operator and the maintenance jobs. They run on a pool of their own,
 *   connected as `ids_platform` (which bypasses row-level security), never on `ids_app`'s: no setting
 *   of an `ids_app` session can reach every customer. Each use names its reason and is logged, so
 *   platform-wide access is never silent.
 */
export type DbScope =
  | { readonly kind: 'customer'; readonly customerId: string }
  | { readonly kind: 'nobody' }
  /** `routine` work (a scheduled job running every second) is logged at debug level, the rest at info. */
  | { readonly kind: 'platform'; readonly reason: string; readonly routine?: boolean };

export const NOBODY: DbScope = Object.freeze({ kind: 'nobody' });

export function customerScope(customerId: string): DbScope {
  return { kind: 'customer', customerId };
}

export function platformScope(reason: string, options: { routine?: boolean } = {}): DbScope {
  return { kind: 'platform', reason, ...options };
}

/**
 * Sets the customer of the transaction `em` is in (`SET LOCAL`, so it ends with the transaction and
 * never leaks to the next user of the pooled connection; it also overrides anything a session-level
 * `set_config` may have left on the connection). Outside a transaction it would apply to nothing,
 * so that is refused. The platform scope is a pool, not a setting: it cannot be entered here.
 */
async function enterScope(em: EntityManager, scope: DbScope, traceParent: string | null = null): Promise<void> {
  if (!em.isInTransaction()) throw new Error('a database scope applies to a transaction; open one with Database.run');
  const customerId = scope.kind === 'customer' ? scope.customerId : '';
  // With tracing on, the same statement names the span the transaction's audit events come from (SET_TRACE_PARENT).
  if (traceParent !== null) await em.execute(`select set_config('app.customer_id', ?, true), set_config('app.traceparent', ?, true)`, [customerId, traceParent], 'run');
  else await em.execute(`select set_config('app.customer_id', ?, true)`, [customerId], 'run');
}

/** The traceparent of the active span, when tracing is on (given to Database by the composition root); null otherwise. */
export type TraceParentSource = () => string | null;

/**
 * The customer the current transaction is limited to (see enterScope), or null for nobody's rows
 * and for the platform path.
 */
export async function scopedCustomerId(em: EntityManager): Promise<string | null> {
  const [row] = await em.execute<Array<{ id: string | null }>>(`select nullif(current_setting('app.customer_id', true), '') as id`);
  return row?.id ?? null;
}

/**
 * The one way the service reaches its tables: each unit of work (an HTTP request, a GraphQL
 * operation, a job) runs in one transaction of its own scope, in a fresh identity map: customer and
 * nobody scopes on the `ids_app` pool (`orm`), the platform scope on the `ids_platform` pool
 * (`platformOrm`, the same entities). Services keep using the global EntityManager of `orm`: inside
 * `run` it resolves to this transaction, on whichever pool (MikroORM finds the transaction's fork by
 * context name, the same for both).
 *
 * How code reaches the transaction, the one way (issue 16):
 * - A service is given `orm.em` once, at construction, and uses it for every query. Inside `run` or
 *   `forSlug` it is this unit of work's transaction; outside one it throws (`allowGlobalContext:
 *   false`), so nothing runs on no transaction by accident.
 * - No service method takes an EntityManager from its caller: a caller opens the unit of work
 *   (`db.run(scope, () => service.method())`) and the service finds it. Inside
 *   `em.transactional(async (em) => …)` the callback's `em` is the same context (a savepoint) and
 *   may be used locally.
 * - Repository functions (`<noun>.repository.ts`, the only place raw SQL lives besides this layer
 *   and the migrations) take the EntityManager as their first argument, from the service calling
 *   them: a repository is queries, not a holder of the connection.
 * - The login path's steps are one SQL function call each on `SqlPool` (sql-pool.ts), outside the
 *   ORM: each is a transaction of its own that enters its customer's scope itself.
 */
export class Database {
  constructor(
    readonly orm: MikroORM,
    readonly platformOrm: MikroORM,
    private readonly log: Logger,
    private readonly traceParent: TraceParentSource | null = null,
  ) {}

  /**
   * Runs `fn` in one transaction limited to `scope`; commits when it returns, rolls back when it
   * throws. Always a transaction of its own on this database, even inside another unit of work
   * (`disableContextResolution`: a plain fork would fork the surrounding transaction, which may be
   * another region's database).
   */
  run<T>(scope: DbScope, fn: () => Promise<T>): Promise<T> {
    if (scope.kind === 'platform') {
      this.logPlatform(scope);
      // ids_platform sees every row by its role: no setting to make.
      const traceParent = this.traceParent?.() ?? null;
      return this.withAfterCommit(() =>
        this.platformOrm.em.fork({ disableContextResolution: true }).transactional(async (em) => {
          if (traceParent !== null) await em.execute(`select set_config('app.traceparent', ?, true)`, [traceParent], 'run');
          return fn();
        }),
      );
    }
    const traceParent = this.traceParent?.() ?? null;
    return this.withAfterCommit(() =>
      this.orm.em.fork({ disableContextResolution: true }).transactional(async (em) => {
        await enterScope(em, scope, traceParent);
        return fn();
      }),
    );
  }

  /**
   * Runs `fn` once the current unit of work has committed (never when it rolls back): how work
   * handed to another process (a queued job) is sure to find the rows it names. Outside a unit of
   * work it runs at once. A failing `fn` is logged, never thrown: the commit already happened.
   */
  afterCommit(fn: () => Promise<void>): void {
    const pending = afterCommitSlot.getStore();
    if (pending) pending.push(fn);
    else void this.runCallbacks([fn]);
  }

  private async withAfterCommit<T>(work: () => Promise<T>): Promise<T> {
    const pending: Array<() => Promise<void>> = [];
    const result = await afterCommitSlot.run(pending, work);
    await this.runCallbacks(pending);
    return result;
  }

  private async runCallbacks(callbacks: ReadonlyArray<() => Promise<void>>): Promise<void> {
    for (const fn of callbacks) {
      try {
        await fn();
      } catch (err) {
        this.log.warn({ err }, 'after-commit work failed');
      }
    }
  }

  private logPlatform(scope: DbScope & { kind: 'platform' }): void {
    if (scope.routine) this.log.debug({ reason: scope.reason }, 'platform-wide database access');
    else this.log.info({ reason: scope.reason }, 'platform-wide database access');
  }

  /**
   * Runs `fn` for a request addressed to `/c/{slug}/…`: in one transaction limited to that
   * customer's rows, or to none when no customer has that slug (the services then answer "unknown").
   */
  forSlug<T>(slug: string, fn: () => Promise<T>): Promise<T> {
    return this.withAfterCommit(() =>
      this.orm.em.fork({ disableContextResolution: true }).transactional(async (em) => {
        await em.execute('select * from ids_enter_customer_row(?)', [slug]);
        const traceParent = this.traceParent?.() ?? null;
        if (traceParent !== null) await em.execute(`select set_config('app.traceparent', ?, true)`, [traceParent], 'run');
        return fn();
      }),
    );
  }
}

/** Work waiting for the commit of the unit of work it was registered in (see Database.afterCommit). */
const afterCommitSlot = new AsyncLocalStorage<Array<() => Promise<void>>>();

/**
 * Runs one statement in `em`'s transaction with its parameters bound (sent apart from the SQL),
 * where `em.execute` would inline them as escaped literals. For statements with large parameters
 * (a batch of rows as one JSON document), inlining costs more than the statement itself.
 */
export async function executeBound<T = Record<string, unknown>>(em: EntityManager, sql: string, params: readonly unknown[]): Promise<T[]> {
  const query = em.getConnection().getKnex().raw(sql, params as never);
  const transaction = em.getTransactionContext();
  if (transaction) query.transacting(transaction);
  const result = (await query) as { rows: T[] };
  return result.rows;
}
