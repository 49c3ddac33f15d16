import { Options } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities';
import { migrationsList } from './migrations';
import { Logger } from '../shared/logger';
import { serializeQueries } from './serial-queries';

/**
 * ORM options for a database URL. Migrations are listed explicitly (not globbed) so the same list
 * works from compiled JavaScript and from TypeScript under test; the schema is never synced at run time.
 */
export function ormOptions(
  databaseUrl: string,
  overrides: Partial<Options<PostgreSqlDriver>> = {},
  { queryTimeoutMs, log }: { queryTimeoutMs?: number; log?: Logger } = {},
): Options<PostgreSqlDriver> {
  const { pool, ...rest } = overrides;
  return {
    driver: PostgreSqlDriver,
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    // The keyring (src/keys/keyring.repository.ts) and the customer directory (src/regions/) are SQL-only: no entity describes them, and the schema diff leaves them alone.
    schemaGenerator: { ignoreSchema: ['keyring', 'directory'] },
    migrations: { migrationsList, tableName: 'mikro_orm_migrations', transactional: true, allOrNothing: true, snapshot: false, silent: true },
    // Every connection runs its queries one at a time (serial-queries.ts: pg 9 will not queue them).
    pool: { min: 0, max: 10, ...pool, afterCreate: (connection: Parameters<typeof serializeQueries>[0], done: (err: Error | null, connection: unknown) => void) => done(null, serializeQueries(connection)) },
    // While PostgreSQL is unreachable a request must fail within seconds (and answer 503), not hang:
    // bounded waits for a pooled connection, for a new one, and (for the service's own pool, not the
    // migrations, which may run long) for a query on a connection gone silent.
    driverOptions: {
      acquireConnectionTimeout: 5000,
      connection: { connectionTimeoutMillis: 3000, ...(queryTimeoutMs ? { query_timeout: queryTimeoutMs } : {}) },
      // knex reports a dropped connection with console.log; the service's log gets it as a JSON line instead.
      ...(log ? { log: knexLog(log.child({ component: 'knex' })) } : {}),
    },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: false,
    ...rest,
  };
}

/** knex's messages (connection errors, deprecations; never a query, as its debug mode stays off). */
function knexLog(log: Logger) {
  return {
    warn: (message: unknown) => log.warn(String(message)),
    error: (message: unknown) => log.error(String(message)),
    deprecate: (message: unknown) => log.warn(String(message)),
    debug: (message: unknown) => log.debug(String(message)),
  };
}
