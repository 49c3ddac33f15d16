import { Migration } from '@mikro-orm/migrations';

/** OAuth 2.0 clients of customers and the access tokens issued to them (client credentials grant). */
export class Migration20261123030000OAuth extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "oauth_client" ("id" uuid not null, "client_id" varchar(64) not null, "customer_id" uuid not null, "name" varchar(200) not null, "scopes" text[] not null default '{}', "secret_hash" varchar(64) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "disabled_at" timestamptz null, constraint "oauth_client_pkey" primary key ("id"));`);
    this.addSql(`alter table "oauth_client" add constraint "oauth_client_client_id_unique" unique ("client_id");`);
    this.addSql(`create index "oauth_client_customer_created_index" on "oauth_client" ("customer_id", "created_at", "id");`);
    this.addSql(`create table "oauth_access_token" ("id" uuid not null, "token_hash" varchar(64) not null, "client_id" uuid not null, "customer_id" uuid not null, "scopes" text[] not null default '{}', "issued_at" timestamptz not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, constraint "oauth_access_token_pkey" primary key ("id"));`);
    this.addSql(`alter table "oauth_access_token" add constraint "oauth_access_token_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "oauth_access_token_client_id_index" on "oauth_access_token" ("client_id");`);
    this.addSql(`create index "oauth_access_token_customer_id_index" on "oauth_access_token" ("customer_id");`);
    this.addSql(`create index "oauth_access_token_expires_at_index" on "oauth_access_token" ("expires_at");`);
    this.addSql(`alter table "oauth_client" add constraint "oauth_client_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "oauth_access_token" add constraint "oauth_access_token_client_id_foreign" foreign key ("client_id") references "oauth_client" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "oauth_access_token" add constraint "oauth_access_token_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists \"oauth_access_token\" cascade;");
    this.addSql("drop table if exists \"oauth_client\" cascade;");
  }
}
