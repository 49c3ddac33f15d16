import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '../config';
import { ensureDatabase } from './ensure-database';
import { ormOptions } from './mikro-orm.config';

/** `npm run migrate`: creates the database if needed and applies pending migrations as the tables' owner, then exits. */
async function main(): Promise<void> {
  const { config } = loadConfig(process.env);
  await ensureDatabase(config.MIGRATION_DATABASE_URL);
  const orm = await MikroORM.init(ormOptions(config.MIGRATION_DATABASE_URL));
  try {
    const applied = await orm.getMigrator().up();
    process.stdout.write(`applied ${applied.length} migration(s)\n`);
  } finally {
    await orm.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
