import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE, PLATFORM_ROLE } from '../tenant-tables';

/**
 * No setting of an `ids_app` session opens every customer's rows (issue #14, item 3). Until now
 * `set_config('app.platform', 'on', …)`, which any SQL run as `ids_app` may call, made every row of
 * every tenant table visible. From here on:
 *
 * - The platform path connects as `ids_platform`, a login role of its own with BYPASSRLS (owning
 *   nothing, no superuser), through a small pool of its own. `ids_app` is no member of it.
 * - The tenant policy admits a row only when its customer is the transaction's `app.customer_id`;
 *   `app.platform` means nothing any more. Platform tables admit no row to `ids_app` at all.
 * - Credentials are found by SECURITY DEFINER functions that take the presented credential's hash
 *   and answer only the caller's grant, entering its customer (the `lookup` scope, which saw every
 *   row until narrowed, is gone).
 * - API-key hashes are unreadable to `ids_app` (column privileges): a key is checked by
 *   `ids_api_key_matches`, and `ids_app` may only set a key's expiry, never its hash.
 */
export class Migration20261202020000PlatformRole extends Migration {
  override async up(): Promise<void> {
    // Roles belong to the cluster, not the database: another database (a concurrent test run) may create it at the same moment.
    this.addSql(`
      do $$ begin
        if not exists (select 1 from pg_roles where rolname = '${PLATFORM_ROLE}') then
          create role ${PLATFORM_ROLE} login nosuperuser nocreatedb nocreaterole noreplication bypassrls;
        end if;
      exception when duplicate_object then null;
      end $$;`);
    this.addSql(`grant usage on schema public to ${PLATFORM_ROLE};`);
    this.addSql(`grant select, insert, update, delete on all tables in schema public to ${PLATFORM_ROLE};`);
    this.addSql(`revoke all on table "mikro_orm_migrations" from ${PLATFORM_ROLE};`);
    // The audit chain is append-only for the platform path too (as for ids_app, see the AuditTrail migration).
    this.addSql(`revoke update, delete on "audit_event" from ${PLATFORM_ROLE};`);
    this.addSql(`revoke update on "audit_payload" from ${PLATFORM_ROLE};`);
    this.addSql(`grant usage, select on all sequences in schema public to ${PLATFORM_ROLE};`);
    this.addSql(`alter default privileges in schema public grant select, insert, update, delete on tables to ${PLATFORM_ROLE};`);
    this.addSql(`alter default privileges in schema public grant usage, select on sequences to ${PLATFORM_ROLE};`);

    // Every tenant policy calls this function: replacing it changes them all at once.
    this.addSql(`
      create or replace function ids_row_visible(row_customer uuid) returns boolean
      language sql stable parallel safe as $$
        select row_customer = nullif(current_setting('app.customer_id', true), '')::uuid
      $$;`);
    this.addSql(`drop policy if exists platform_only on "purge_run";`);
    this.addSql(`create policy platform_only on "purge_run" using (false) with check (false);`);

    // API-key hashes: ids_app may see that keys exist and when they expire, never what they hash to.
    this.addSql(`revoke select, update on "customer_api_key" from ${APP_ROLE};`);
    this.addSql(`grant select ("id", "customer_id", "created_at", "expires_at"), update ("expires_at") on "customer_api_key" to ${APP_ROLE};`);
    this.addSql(`
      create function ids_api_key_matches(key_customer uuid, presented_hash text, at timestamptz) returns boolean
      language sql stable security definer set search_path = pg_catalog, pg_temp as $$
        select exists (
          select 1 from public.customer_api_key k
           where k.customer_id = key_customer and k.key_hash = presented_hash and (k.expires_at is null or k.expires_at > at))
      $$;`);

    // A bearer token presented to the API: the grant of an active token of an enabled client, and its customer entered.
    this.addSql(`
      create function ids_enter_access_token(presented_hash text, at timestamptz)
      returns table (grant_customer_id uuid, grant_client_id text, grant_scopes text[], grant_subject text)
      language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
      declare
        found record;
      begin
        select t.customer_id, c.client_id, t.scopes, t.subject into found
          from public.oauth_access_token t join public.oauth_client c on c.id = t.client_id
         where t.token_hash = presented_hash and t.revoked_at is null and t.expires_at > at and c.disabled_at is null;
        perform set_config('app.customer_id', coalesce(found.customer_id::text, ''), true);
        if found.customer_id is not null then
          grant_customer_id := found.customer_id;
          grant_client_id := found.client_id;
          grant_scopes := found.scopes;
          grant_subject := found.subject;
          return next;
        end if;
      end $$;`);

    // An operator token: its grant when active, its use recorded at most once per `resolution`, and its
    // customer entered (none for a platform-wide token, whose operation then runs on the platform pool).
    this.addSql(`
      create function ids_enter_operator_token(presented_hash text, at timestamptz, resolution interval)
      returns table (token_id uuid, token_name text, token_role text, token_customer_id uuid)
      language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
      declare
        found public.operator_token;
      begin
        select o.* into found from public.operator_token o
         where o.token_hash = presented_hash and o.revoked_at is null and (o.expires_at is null or o.expires_at > at);
        perform set_config('app.customer_id', coalesce(found.customer_id::text, ''), true);
        if found.id is null then
          return;
        end if;
        if found.last_used_at is null or found.last_used_at <= at - resolution then
          -- Conditional, so concurrent requests write once and never move the date backwards.
          update public.operator_token o set last_used_at = at
           where o.id = found.id and (o.last_used_at is null or o.last_used_at <= at - resolution);
        end if;
        token_id := found.id;
        token_name := found.name;
        token_role := found.role;
        token_customer_id := found.customer_id;
        return next;
      end $$;`);

    // An OAuth client presenting its secret (RFC 6749 §2.3.1): its row when id and secret hash match, and its customer entered.
    this.addSql(`
      create function ids_enter_oauth_client(presented_client_id text, presented_secret_hash text) returns setof oauth_client
      language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
      declare
        found public.oauth_client;
      begin
        select c.* into found from public.oauth_client c where c.client_id = presented_client_id and c.secret_hash = presented_secret_hash;
        perform set_config('app.customer_id', coalesce(found.customer_id::text, ''), true);
        if found.id is not null then
          return next found;
        end if;
      end $$;`);

    for (const signature of [
      'ids_api_key_matches(uuid, text, timestamptz)',
      'ids_enter_access_token(text, timestamptz)',
      'ids_enter_operator_token(text, timestamptz, interval)',
      'ids_enter_oauth_client(text, text)',
    ]) {
      this.addSql(`revoke all on function ${signature} from public;`);
      this.addSql(`grant execute on function ${signature} to ${APP_ROLE}, ${PLATFORM_ROLE};`);
    }
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists ids_enter_oauth_client(text, text);`);
    this.addSql(`drop function if exists ids_enter_operator_token(text, timestamptz, interval);`);
    this.addSql(`drop function if exists ids_enter_access_token(text, timestamptz);`);
    this.addSql(`drop function if exists ids_api_key_matches(uuid, text, timestamptz);`);
    this.addSql(`grant select, update on "customer_api_key" to ${APP_ROLE};`);
    this.addSql(`drop policy if exists platform_only on "purge_run";`);
    this.addSql(
      `create policy platform_only on "purge_run" using (current_setting('app.platform', true) = 'on') with check (current_setting('app.platform', true) = 'on');`,
    );
    this.addSql(`
      create or replace function ids_row_visible(row_customer uuid) returns boolean
      language sql stable parallel safe as $$
        select current_setting('app.platform', true) = 'on'
            or row_customer = nullif(current_setting('app.customer_id', true), '')::uuid
      $$;`);
    this.addSql(`alter default privileges in schema public revoke usage, select on sequences from ${PLATFORM_ROLE};`);
    this.addSql(`alter default privileges in schema public revoke select, insert, update, delete on tables from ${PLATFORM_ROLE};`);
    this.addSql(`revoke all on all sequences in schema public from ${PLATFORM_ROLE};`);
    this.addSql(`revoke all on all tables in schema public from ${PLATFORM_ROLE};`);
    this.addSql(`revoke usage on schema public from ${PLATFORM_ROLE};`);
    // The role stays: other databases of the cluster may use it.
  }
}
