import { MikroORM } from '@mikro-orm/postgresql';
import { Config } from '../config';
import { Logger } from '../shared/logger';
import { describeCause, redactUrl, StartupError } from '../shared/startup-error';
import { ensureDatabase } from './ensure-database';
import { ormOptions } from './mikro-orm.config';

/** Longest a query of the service may wait on a connection that went silent (a network partition) before it fails. */
export const SERVICE_QUERY_TIMEOUT_MS = 30_000;

const PG_HINT = 'start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

/** Migrates, then opens the service's pool (as `ids_app`) and the platform path's (as `ids_platform`), each checked for its role. */
export async function openDatabase(config: Config, log: Logger): Promise<{ orm: MikroORM; platformOrm: MikroORM }> {
  await migrateDatabase(config.MIGRATION_DATABASE_URL, log);
  const orm = await openPool(config.DATABASE_URL, 'DATABASE_URL', 10, APPLICATION_ROLE, log);
  try {
    const platformOrm = await openPool(config.PLATFORM_DATABASE_URL, 'PLATFORM_DATABASE_URL', config.PLATFORM_DATABASE_POOL_MAX, PLATFORM_ROLE_CHECK, log);
    return { orm, platformOrm };
  } catch (err) {
    await orm.close();
    throw err;
  }
}

/**
 * Opens only the platform path's pool (as `ids_platform`, checked), for a maintenance command such
 * as `npm run keys:rotate`: no migrations (the owner's credentials stay out of it), no service pool.
 */
export async function openPlatformDatabase(config: Config, poolMax = 2): Promise<MikroORM> {
  return openPool(config.PLATFORM_DATABASE_URL, 'PLATFORM_DATABASE_URL', poolMax, PLATFORM_ROLE_CHECK);
}

/** The readiness probe's question to PostgreSQL: does the service's pool answer at all? */
export async function pingDatabase(orm: MikroORM): Promise<void> {
  await orm.em.getConnection().execute('select 1');
}

async function openPool(url: string, name: string, poolMax: number, role: RoleCheck, log?: Logger): Promise<MikroORM> {
  let orm: MikroORM;
  try {
    orm = await MikroORM.init(ormOptions(url, { pool: { min: 0, max: poolMax } }, { queryTimeoutMs: SERVICE_QUERY_TIMEOUT_MS, log }));
  } catch (err) {
    throw new StartupError(`PostgreSQL is not reachable at ${redactUrl(url)} (${describeCause(err)}); ${PG_HINT}`);
  }
  try {
    await checkRole(orm, url, name, role);
  } catch (err) {
    await orm.close();
    throw err;
  }
  return orm;
}

/** Creates the database when missing and applies pending migrations, as the tables' owner. */
async function migrateDatabase(ownerUrl: string, log: Logger): Promise<void> {
  const where = redactUrl(ownerUrl);
  try {
    if (await ensureDatabase(ownerUrl)) log.info({ database: where }, 'created database');
  } catch (err) {
    throw new StartupError(`PostgreSQL is not reachable at ${where} (${describeCause(err)}); ${PG_HINT}`);
  }
  const owner = await MikroORM.init(ormOptions(ownerUrl, { pool: { min: 0, max: 1 } }));
  try {
    const applied = await owner.getMigrator().up();
    if (applied.length > 0) log.info({ migrations: applied.map((m) => m.name) }, 'applied migrations');
  } finally {
    await owner.close();
  }
}

/** What a pool's role must be, and what to tell whoever configured another. */
interface RoleCheck {
  /** Whether the role must bypass row-level security (the platform path) or must not (the service's own). */
  bypassesRls: boolean;
  expected: string;
  consequence: string;
}

/** Row-level security binds only a role that owns no table and can neither bypass it nor is a superuser. */
const APPLICATION_ROLE: RoleCheck = {
  bypassesRls: false,
  expected: 'ids_app',
  consequence: 'row-level security would not isolate customers',
};

/**
 * The platform path sees every customer by BYPASSRLS alone: no superuser (which could do anything,
 * also to the schema), no owner (who could change the policies), so a leak of its URL is bounded too.
 */
const PLATFORM_ROLE_CHECK: RoleCheck = {
  bypassesRls: true,
  expected: 'ids_platform',
  consequence: 'the platform path would hold more power than reading and writing rows',
};

/** The service refuses to start with a pool of the wrong role, rather than run with isolation silently off (or too much power on). */
async function checkRole(orm: MikroORM, url: string, name: string, check: RoleCheck): Promise<void> {
  let row: { role: string; rolsuper: boolean; rolbypassrls: boolean; owns: boolean } | undefined;
  try {
    [row] = await orm.em.getConnection().execute(
      `select current_user as role, r.rolsuper, r.rolbypassrls,
              exists (select 1 from pg_tables t where t.schemaname = 'public' and t.tableowner = current_user) as owns
         from pg_roles r where r.rolname = current_user`,
    );
  } catch (err) {
    throw new StartupError(`PostgreSQL refused ${name} ${redactUrl(url)} (${describeCause(err)}); the migrations create its role ${check.expected}`);
  }
  const reasons = [
    row?.rolsuper && 'is a superuser',
    row?.rolbypassrls !== check.bypassesRls && (check.bypassesRls ? 'lacks BYPASSRLS' : 'has BYPASSRLS'),
    row?.owns && 'owns the tables',
  ].filter(Boolean);
  if (reasons.length > 0) {
    throw new StartupError(
      `${name} connects as ${row!.role}, which ${reasons.join(' and ')}: ${check.consequence}. ` +
        `Connect as ${check.expected} (created by the migrations) and keep the owner in MIGRATION_DATABASE_URL.`,
    );
  }
}
