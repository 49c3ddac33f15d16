import { Client } from 'pg';
import { testDatabaseUrl, withRole } from './env';

/** One regional database of a test: its owner URL and the service's and platform path's. */
export interface RegionDatabase {
  region: string;
  owner: string;
  app: string;
  platform: string;
}

function inDatabase(url: string, name: string): string {
  const out = new URL(url);
  out.pathname = `/${name}`;
  return out.toString();
}

/**
 * The databases of a multi-region test: the first region uses this worker's database, every other
 * one a fresh copy of the run's migrated template (the global setup's), dropped by `drop`.
 */
export async function regionDatabases(regions: readonly string[]): Promise<{ databases: RegionDatabase[]; env: Record<string, string>; drop(): Promise<void> }> {
  const own = testDatabaseUrl();
  const template = new URL(process.env.IDS_TEST_DATABASE_URL!).pathname.slice(1);
  const base = new URL(own).pathname.slice(1);
  const admin = new Client({ connectionString: inDatabase(own, 'postgres') });
  await admin.connect();
  const created: string[] = [];
  const databases: RegionDatabase[] = [];
  try {
    for (const [at, region] of regions.entries()) {
      let name = base;
      if (at > 0) {
        name = `${base}_${region.toLowerCase()}`;
        await admin.query(`drop database if exists "${name}" with (force)`);
        await admin.query(`create database "${name}" template "${template}"`);
        created.push(name);
      }
      const owner = inDatabase(own, name);
      databases.push({ region, owner, app: withRole(owner, 'ids_app'), platform: withRole(owner, 'ids_platform') });
    }
  } finally {
    await admin.end();
  }
  const env: Record<string, string> = { REGIONS: regions.join(',') };
  for (const db of databases.slice(1)) {
    env[`DATABASE_URL_${db.region}`] = db.app;
    env[`PLATFORM_DATABASE_URL_${db.region}`] = db.platform;
    env[`MIGRATION_DATABASE_URL_${db.region}`] = db.owner;
  }
  const drop = async () => {
    const client = new Client({ connectionString: inDatabase(own, 'postgres') });
    await client.connect();
    try {
      for (const name of created) await client.query(`drop database if exists "${name}" with (force)`);
    } finally {
      await client.end();
    }
  };
  return { databases, env, drop };
}

/**
 * Every row of every table of a database (the public, keyring and directory schemas), as text,
 * through the owner: what a full scan for a customer's traces reads.
 */
export async function everyRow(ownerUrl: string): Promise<Array<{ table: string; row: string }>> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ schema: string; name: string }>(
      `select table_schema as schema, table_name as name from information_schema.tables
        where table_schema in ('public', 'keyring', 'directory') and table_type = 'BASE TABLE' and table_name <> 'mikro_orm_migrations'`,
    );
    const out: Array<{ table: string; row: string }> = [];
    for (const { schema, name } of tables) {
      const { rows } = await client.query<{ row: string }>(`select t::text as row from "${schema}"."${name}" t`);
      for (const { row } of rows) out.push({ table: `${schema}.${name}`, row });
    }
    return out;
  } finally {
    await client.end();
  }
}

/** Runs one query as the owner of the database at `ownerUrl` and answers its rows. */
export async function asOwnerOf(ownerUrl: string, sql: string, params: unknown[] = []): Promise<Array<Record<string, string>>> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    return (await client.query<Record<string, string>>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
