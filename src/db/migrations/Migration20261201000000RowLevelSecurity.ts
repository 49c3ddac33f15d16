import { Migration } from '@mikro-orm/migrations';

import { APP_ROLE, tenantPolicySql } from '../tenant-tables';

/** The tenant tables as they were when this migration was written (later ones add their own). */
const TABLES: ReadonlyArray<readonly [table: string, column: string]> = [
  ['customer', 'id'],
  ['customer_api_key', 'customer_id'],
  ['openid_association', 'customer_id'],
  ['openid_nonce', 'customer_id'],
  ['auth_request', 'customer_id'],
  ['auth_request_transition', 'customer_id'],
  ['consent_decision', 'customer_id'],
  ['profile', 'customer_id'],
  ['oauth_client', 'customer_id'],
  ['oauth_access_token', 'customer_id'],
  ['oauth_login_code', 'customer_id'],
  ['operator_token', 'customer_id'],
];

/**
 * Tenant isolation in PostgreSQL itself (issue #5, 6b). The service connects as `ids_app`, which owns
 * no table and has no BYPASSRLS, and every transaction says whose rows it works on with
 * `set_config('app.customer_id', …, true)` (a SET LOCAL). A policy on each tenant table lets a row
 * through only when its customer is that one, or when the transaction was opened on the platform
 * path (`app.platform = on`, see src/db/scope.ts). A transaction that says nothing sees nothing.
 */
export class Migration20261201000000RowLevelSecurity extends Migration {
  override async up(): Promise<void> {
    // Roles belong to the cluster, not the database: another database may have created it already.
    this.addSql(`
      do $$ begin
        if not exists (select 1 from pg_roles where rolname = '${APP_ROLE}') then
          create role ${APP_ROLE} login nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
        end if;
      exception when duplicate_object then null;
      end $$;`);

    // The timeline was the one tenant table without its own customer column.
    this.addSql(`alter table "auth_request_transition" add column "customer_id" uuid null;`);
    this.addSql(`update "auth_request_transition" t set "customer_id" = r."customer_id" from "auth_request" r where r."id" = t."auth_request_id";`);
    this.addSql(`alter table "auth_request_transition" alter column "customer_id" set not null;`);
    this.addSql(
      `alter table "auth_request_transition" add constraint "auth_request_transition_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(`create index "auth_request_transition_customer_id_index" on "auth_request_transition" ("customer_id");`);

    // Inlined into every policy; stable, so an index on customer_id still serves the caller's own filter.
    this.addSql(`
      create function ids_row_visible(row_customer uuid) returns boolean
      language sql stable parallel safe as $$
        select current_setting('app.platform', true) = 'on'
            or row_customer = nullif(current_setting('app.customer_id', true), '')::uuid
      $$;`);

    // A request to /c/{slug}/… names its customer by slug before anything else is known: this resolves
    // it and narrows the transaction to it (or to nobody) in one statement, without the platform path.
    this.addSql(`
      create function ids_enter_customer(customer_slug text) returns uuid
      language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
      declare
        found uuid;
      begin
        select c.id into found from public.customer c where c.slug = customer_slug;
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', coalesce(found::text, ''), true);
        return found;
      end $$;`);
    this.addSql(`revoke all on function ids_enter_customer(text) from public;`);
    this.addSql(`grant execute on function ids_enter_customer(text) to ${APP_ROLE};`);

    for (const [table, column] of TABLES) tenantPolicySql(table, column).forEach((sql) => this.addSql(sql));

    this.addSql(`grant usage on schema public to ${APP_ROLE};`);
    this.addSql(`grant select, insert, update, delete on all tables in schema public to ${APP_ROLE};`);
    // Only migrations (as the owner) touch the migrations table.
    this.addSql(`revoke all on table "mikro_orm_migrations" from ${APP_ROLE};`);
    // Tables later migrations create get the same grants; each still needs its policy (a test checks).
    this.addSql(`alter default privileges in schema public grant select, insert, update, delete on tables to ${APP_ROLE};`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter default privileges in schema public revoke select, insert, update, delete on tables from ${APP_ROLE};`);
    this.addSql(`revoke select, insert, update, delete on all tables in schema public from ${APP_ROLE};`);
    this.addSql(`revoke usage on schema public from ${APP_ROLE};`);
    for (const [table] of TABLES) {
      this.addSql(`drop policy if exists tenant_isolation on "${table}";`);
      this.addSql(`alter table "${table}" disable row level security;`);
    }
    this.addSql(`drop function if exists ids_enter_customer(text);`);
    this.addSql(`drop function if exists ids_row_visible(uuid);`);
    this.addSql(`alter table "auth_request_transition" drop constraint "auth_request_transition_customer_id_foreign";`);
    this.addSql(`drop index "auth_request_transition_customer_id_index";`);
    this.addSql(`alter table "auth_request_transition" drop column "customer_id";`);
    // The role stays: other databases of the cluster may use it.
  }
}
