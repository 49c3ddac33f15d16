import { Migration } from '@mikro-orm/migrations';
import { tenantPolicySql } from '../tenant-tables';
import { oidcCompletion } from './openid-connect/completion.sql';

/**
 * OpenID Connect (issue 19) on the delegated login: a relying party is an OAuth client of kind OIDC
 * (redirect URIs, auth method, ID token algorithm); a sign-in it started ends with a one-time
 * authorization code (`oidc_code`), written by the same completion step that writes an OpenID 2.0
 * answer; refresh tokens rotate within a grant (`oauth_refresh_token`), and each customer signs ID
 * tokens with keys of its own that rotate (`oidc_signing_key`).
 */
export class Migration20261204000000OpenIdConnect extends Migration {
  override async up(): Promise<void> {
    const sql = (s: string) => this.addSql(s);
    sql(`alter table "oauth_client" add column "kind" text not null default 'SERVICE' check ("kind" in ('SERVICE', 'OIDC'));`);
    sql(`alter table "oauth_client" alter column "secret_hash" drop not null;`);
    sql(`alter table "oauth_client" add column "redirect_uris" text[] not null default '{}';`);
    sql(`alter table "oauth_client" add column "post_logout_redirect_uris" text[] not null default '{}';`);
    sql(
      `alter table "oauth_client" add column "token_endpoint_auth_method" text not null default 'client_secret_basic' check ("token_endpoint_auth_method" in ('client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'));`,
    );
    sql(`alter table "oauth_client" add column "jwks" jsonb null;`);
    sql(`alter table "oauth_client" add column "id_token_signed_response_alg" text not null default 'ES256' check ("id_token_signed_response_alg" in ('ES256', 'RS256'));`);
    sql(`alter table "oauth_client" add column "logo_uri" text null;`);
    sql(`alter table "oauth_client" add column "backchannel_logout_uri" text null;`);
    // A client that signs in people needs a way to be called back; a service client needs a secret.
    sql(`alter table "oauth_client" add constraint "oauth_client_kind_check_shape" check (("kind" = 'SERVICE' and "secret_hash" is not null) or ("kind" = 'OIDC' and cardinality("redirect_uris") > 0));`);

    // The grant (the authorization code) a token descends from: a replayed code or a reused refresh token revokes the whole line.
    sql(`alter table "oauth_access_token" add column "grant_id" uuid null;`);
    sql(`create index "oauth_access_token_grant_index" on "oauth_access_token" ("customer_id", "grant_id");`);

    sql(
      `create table "oidc_code" ("id" uuid not null, "code_hash" varchar(64) not null, "customer_id" uuid not null, "client_id" uuid not null, "auth_request_id" uuid null, "username" text not null, "username_hash" text null, "person_key_id" uuid null, "fields" text[] not null default '{}', "request" jsonb not null, "auth_time" timestamptz null, "auth_policies" text[] null, "issued_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, constraint "oidc_code_pkey" primary key ("id"));`,
    );
    sql(`alter table "oidc_code" add constraint "oidc_code_code_hash_unique" unique ("code_hash");`);
    sql(`create index "oidc_code_customer_id_index" on "oidc_code" ("customer_id");`);
    sql(`create index "oidc_code_client_id_index" on "oidc_code" ("client_id");`);
    sql(`create index "oidc_code_subject_index" on "oidc_code" ("customer_id", "username_hash");`);
    sql(`create index "oidc_code_expires_at_index" on "oidc_code" ("expires_at");`);
    sql(`alter table "oidc_code" add constraint "oidc_code_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`);
    sql(`alter table "oidc_code" add constraint "oidc_code_client_id_foreign" foreign key ("client_id") references "oauth_client" ("id") on update cascade on delete cascade;`);
    tenantPolicySql('oidc_code', 'customer_id').forEach(sql);

    sql(
      `create table "oauth_refresh_token" ("id" uuid not null, "token_hash" varchar(64) not null, "customer_id" uuid not null, "client_id" uuid not null, "grant_id" uuid not null, "subject" text not null, "subject_hash" text null, "person_key_id" uuid null, "scopes" text[] not null default '{}', "auth_time" timestamptz null, "acr" text null, "issued_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "revoked_at" timestamptz null, constraint "oauth_refresh_token_pkey" primary key ("id"));`,
    );
    sql(`alter table "oauth_refresh_token" add constraint "oauth_refresh_token_token_hash_unique" unique ("token_hash");`);
    sql(`create index "oauth_refresh_token_customer_id_index" on "oauth_refresh_token" ("customer_id");`);
    sql(`create index "oauth_refresh_token_client_id_index" on "oauth_refresh_token" ("client_id");`);
    sql(`create index "oauth_refresh_token_grant_index" on "oauth_refresh_token" ("customer_id", "grant_id");`);
    sql(`create index "oauth_refresh_token_subject_hash_index" on "oauth_refresh_token" ("customer_id", "subject_hash");`);
    sql(`create index "oauth_refresh_token_expires_at_index" on "oauth_refresh_token" ("expires_at");`);
    sql(
      `alter table "oauth_refresh_token" add constraint "oauth_refresh_token_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`,
    );
    sql(
      `alter table "oauth_refresh_token" add constraint "oauth_refresh_token_client_id_foreign" foreign key ("client_id") references "oauth_client" ("id") on update cascade on delete cascade;`,
    );
    tenantPolicySql('oauth_refresh_token', 'customer_id').forEach(sql);

    sql(
      `create table "oidc_signing_key" ("id" uuid not null, "customer_id" uuid not null, "kid" varchar(64) not null, "alg" text not null check ("alg" in ('ES256', 'RS256')), "public_jwk" jsonb not null, "private_jwk" text not null, "created_at" timestamptz not null, "activates_at" timestamptz not null, "retires_at" timestamptz null, "expires_at" timestamptz null, constraint "oidc_signing_key_pkey" primary key ("id"));`,
    );
    sql(`alter table "oidc_signing_key" add constraint "oidc_signing_key_kid_unique" unique ("kid");`);
    sql(`create index "oidc_signing_key_customer_index" on "oidc_signing_key" ("customer_id", "alg", "activates_at");`);
    sql(`create index "oidc_signing_key_expires_at_index" on "oidc_signing_key" ("expires_at");`);
    sql(
      `alter table "oidc_signing_key" add constraint "oidc_signing_key_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`,
    );
    tenantPolicySql('oidc_signing_key', 'customer_id').forEach(sql);

    // Every instance caches clients and signing keys per customer: a change anywhere drops that customer's entries.
    sql(`
      create function ids_notify_oidc_changed() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          perform pg_notify('ids_changes', tg_argv[0] || ':' || old.customer_id::text);
        else
          perform pg_notify('ids_changes', tg_argv[0] || ':' || new.customer_id::text);
        end if;
        return null;
      end $$;`);
    sql(`create trigger oauth_client_changed after insert or update or delete on oauth_client for each row execute function ids_notify_oidc_changed('oidc_client');`);
    sql(`create trigger oidc_signing_key_changed after insert or update or delete on oidc_signing_key for each row execute function ids_notify_oidc_changed('oidc_keys');`);
    oidcCompletion.up(sql);
  }

  override async down(): Promise<void> {
    oidcCompletion.down(this.addSql.bind(this));
    this.addSql(`drop trigger if exists oidc_signing_key_changed on oidc_signing_key;`);
    this.addSql(`drop trigger if exists oauth_client_changed on oauth_client;`);
    this.addSql(`drop function if exists ids_notify_oidc_changed();`);
    this.addSql(`drop table if exists "oidc_signing_key" cascade;`);
    this.addSql(`drop table if exists "oauth_refresh_token" cascade;`);
    this.addSql(`drop table if exists "oidc_code" cascade;`);
    this.addSql(`drop index if exists "oauth_access_token_grant_index";`);
    this.addSql(`alter table "oauth_access_token" drop column if exists "grant_id";`);
    this.addSql(`delete from "oauth_client" where "kind" = 'OIDC';`);
    this.addSql(`alter table "oauth_client" drop constraint if exists "oauth_client_kind_check_shape";`);
    for (const column of ['kind', 'redirect_uris', 'post_logout_redirect_uris', 'token_endpoint_auth_method', 'jwks', 'id_token_signed_response_alg', 'logo_uri', 'backchannel_logout_uri']) {
      this.addSql(`alter table "oauth_client" drop column if exists "${column}";`);
    }
    this.addSql(`alter table "oauth_client" alter column "secret_hash" set not null;`);
  }
}
