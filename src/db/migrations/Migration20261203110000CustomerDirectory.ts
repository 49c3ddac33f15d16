import { Migration } from '@mikro-orm/migrations';
import { platformPolicySql } from '../tenant-tables';

/** The channel the directory's trigger notifies on: every instance's routing cache listens. */
export const DIRECTORY_CHANNEL = 'ids_directory';

/**
 * Data residency (issue 18): the customer directory and the record of region moves.
 *
 * `customer_directory` routes `/c/{slug}/…`, tokens and GraphQL operations to the region holding a
 * customer's data. It holds a customer's id, slug, region and status and nothing about people. Every
 * regional database gets the table (the schema is the same everywhere); the one DIRECTORY_DATABASE_URL
 * names (by default the home region's) is the platform's directory. A change notifies
 * `ids_directory` so that every instance's routing cache drops the entry at once.
 *
 * `region_move` records each move of a customer between regions: its step, what was copied and the
 * digests compared, so a move is visible while it runs and resumable after a failure.
 *
 * Both are platform tables: only `ids_platform` reads or writes them.
 */
export class Migration20261203110000CustomerDirectory extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "customer_directory" (
        "customer_id" uuid primary key,
        "slug" text not null unique,
        "region" text not null check ("region" in ('EU', 'NA', 'APAC')),
        "status" text not null default 'ACTIVE' check ("status" in ('ACTIVE', 'MOVING')),
        "updated_at" timestamptz not null default now()
      );`);
    this.addSql(`
      create table "region_move" (
        "id" uuid primary key,
        "customer_id" uuid not null,
        "source_region" text not null,
        "target_region" text not null,
        "state" text not null check ("state" in ('COPYING', 'VERIFYING', 'SWITCHING', 'ERASING', 'DONE', 'FAILED')),
        "attempts" integer not null default 0,
        "tables" jsonb not null default '[]',
        "error" text,
        "requested_by" text not null,
        "created_at" timestamptz not null,
        "updated_at" timestamptz not null,
        "finished_at" timestamptz
      );`);
    // At most one unfinished move per customer.
    this.addSql(`create unique index "region_move_one_open" on "region_move" ("customer_id") where "state" not in ('DONE', 'FAILED');`);
    this.addSql(`create index "region_move_customer" on "region_move" ("customer_id", "created_at" desc);`);
    this.addSql(`
      create function ids_directory_notify() returns trigger
      language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform pg_notify('${DIRECTORY_CHANNEL}', coalesce(new.customer_id, old.customer_id)::text);
        return null;
      end $$;`);
    this.addSql(`create trigger "customer_directory_notify" after insert or update or delete on "customer_directory" for each row execute function ids_directory_notify();`);
    for (const table of ['customer_directory', 'region_move']) platformPolicySql(table).forEach((sql) => this.addSql(sql));
  }
}
