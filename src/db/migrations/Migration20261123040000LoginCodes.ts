import { Migration } from '@mikro-orm/migrations';

/** One-time login codes relayed in the positive assertion, and the user a token is limited to. */
export class Migration20261123040000LoginCodes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "oauth_login_code" ("id" uuid not null, "code_hash" varchar(64) not null, "customer_id" uuid not null, "username" varchar(255) not null, "fields" text[] not null default '{}', "issued_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "access_token_id" uuid null, constraint "oauth_login_code_pkey" primary key ("id"));`);
    this.addSql(`alter table "oauth_login_code" add constraint "oauth_login_code_code_hash_unique" unique ("code_hash");`);
    this.addSql(`create index "oauth_login_code_customer_id_index" on "oauth_login_code" ("customer_id");`);
    this.addSql(`create index "oauth_login_code_expires_at_index" on "oauth_login_code" ("expires_at");`);
    this.addSql(`create index "oauth_login_code_access_token_id_index" on "oauth_login_code" ("access_token_id");`);
    this.addSql(`alter table "oauth_login_code" add constraint "oauth_login_code_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "oauth_login_code" add constraint "oauth_login_code_access_token_id_foreign" foreign key ("access_token_id") references "oauth_access_token" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "oauth_access_token" add column "subject" varchar(255) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "oauth_login_code" cascade;`);
    this.addSql(`alter table "oauth_access_token" drop column "subject";`);
  }
}
