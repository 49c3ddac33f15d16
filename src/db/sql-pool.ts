import { Pool } from 'pg';
import { Logger } from '../shared/logger';

/**
 * The hot path's connection pool (issue 15): plain `pg`, as the service's role (`ids_app`, the same
 * DATABASE_URL as the ORM's pool), for the login steps and the OP endpoint's stores, which are one
 * SQL function call each. Each call is its own transaction: the function enters its customer's
 * row-level-security scope itself, so nothing is set on the connection between calls. Statements
 * are named, so each connection parses and plans each of them once.
 */
export type SqlPool = Pool;

export function createSqlPool(url: string, max: number, statementTimeoutMs: number, log: Logger): SqlPool {
  const pool = new Pool({
    connectionString: url,
    max,
    // As the ORM's pool: a database that does not answer fails a request in seconds (503), never hangs it.
    connectionTimeoutMillis: 3000,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1000,
  });
  // An idle connection that drops (a restart, a network cut) is replaced on the next use; only said.
  pool.on('error', (err) => log.warn({ err }, 'idle login-path connection lost'));
  return pool;
}
