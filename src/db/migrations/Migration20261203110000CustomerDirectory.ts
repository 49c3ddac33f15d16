import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE, PLATFORM_ROLE } from '../tenant-tables';

/** The channel the directory's trigger notifies on: every instance's routing cache listens. */
export const DIRECTORY_CHANNEL = 'ids_directory';

/**
 * Data residency (issue 18): the customer directory and the record of region moves, in a schema of
 * their own, `directory`, apart from a region's data (`public`, `keyring`).
 *
 * `directory.customer` routes `/c/{slug}/…`, tokens and GraphQL operations to the region holding a
 * customer's data. It holds a customer's id, slug, region and status and nothing about people. Every
 * regional database gets the schema (the migrations are the same everywhere); the one
 * DIRECTORY_DATABASE_URL names (by default the home region's) is the platform's directory. A change
 * notifies `ids_directory` so that every instance's routing cache drops what it holds at once.
 *
 * `directory.region_move` records each move of a customer between regions: its step, what was
 * copied and the digests compared, so a move is visible while it runs and resumable after a failure.
 *
 * Only `ids_platform` reaches the schema; `ids_app` has no privilege on it at all.
 */
export class Migration20261203110000CustomerDirectory extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create schema directory;`);
    this.addSql(`revoke all on schema directory from public;`);
    this.addSql(`
      create table directory.customer (
        customer_id uuid primary key,
        slug text not null unique,
        region text not null check (region in ('EU', 'NA', 'APAC')),
        status text not null default 'ACTIVE' check (status in ('ACTIVE', 'MOVING')),
        updated_at timestamptz not null default now()
      );`);
    this.addSql(`
      create table directory.region_move (
        id uuid primary key,
        customer_id uuid not null,
        source_region text not null,
        target_region text not null,
        state text not null check (state in ('COPYING', 'VERIFYING', 'SWITCHING', 'ERASING', 'DONE', 'FAILED')),
        attempts integer not null default 0,
        tables jsonb not null default '[]',
        error text,
        requested_by text not null,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        finished_at timestamptz
      );`);
    // At most one unfinished move per customer.
    this.addSql(`create unique index region_move_one_open on directory.region_move (customer_id) where state not in ('DONE', 'FAILED');`);
    this.addSql(`create index region_move_customer on directory.region_move (customer_id, created_at desc);`);
    this.addSql(`
      create function directory.notify_change() returns trigger
      language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform pg_notify('${DIRECTORY_CHANNEL}', coalesce(new.customer_id, old.customer_id)::text);
        return null;
      end $$;`);
    this.addSql(`create trigger customer_notify after insert or update or delete on directory.customer for each row execute function directory.notify_change();`);
    this.addSql(`grant usage on schema directory to ${PLATFORM_ROLE};`);
    this.addSql(`grant select, insert, update, delete on directory.customer, directory.region_move to ${PLATFORM_ROLE};`);
    this.addSql(`revoke all on all tables in schema directory from ${APP_ROLE};`);
  }
}
