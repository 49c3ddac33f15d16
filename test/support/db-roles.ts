import { Client } from 'pg';
import { testAppDatabaseUrl, testPlatformDatabaseUrl } from './env';

/** SQL as the service's own database roles, bypassing the service: for the tests of row-level security. */

/** Runs `fn` in one transaction as ids_app, with `settings` set as the service sets them; rolled back. */
export function asApp<T>(settings: Record<string, string>, fn: (client: Client) => Promise<T>): Promise<T> {
  return asRole(testAppDatabaseUrl(), settings, fn);
}

/** Runs `fn` in one transaction as ids_platform, the platform path's role; rolled back. */
export function asPlatform<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  return asRole(testPlatformDatabaseUrl(), {}, fn);
}

async function asRole<T>(url: string, settings: Record<string, string>, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    for (const [name, value] of Object.entries(settings)) await client.query('select set_config($1, $2, true)', [name, value]);
    const result = await fn(client);
    await client.query('rollback');
    return result;
  } finally {
    await client.end();
  }
}
