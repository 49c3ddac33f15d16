import { Migration } from '@mikro-orm/migrations';

export class Migration20261123000000Customers extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "customer" (
        "id" uuid not null primary key,
        "slug" varchar(63) not null constraint "customer_slug_unique" unique,
        "name" varchar(200) not null,
        "home_url" varchar(2048) null,
        "verify_url" varchar(2048) not null,
        "region" text not null check ("region" in ('NA', 'EU', 'APAC')),
        "prompt_policy" text not null default 'PROMPT' check ("prompt_policy" in ('PROMPT', 'NO_PROMPT')),
        "trusted_realms" text[] not null default '{}',
        "created_at" timestamptz not null,
        "updated_at" timestamptz not null
      );`);
    this.addSql(`create index "customer_created_at_id_index" on "customer" ("created_at", "id");`);
    this.addSql(`
      create table "customer_api_key" (
        "id" uuid not null primary key,
        "customer_id" uuid not null constraint "customer_api_key_customer_id_foreign" references "customer" ("id") on update cascade on delete cascade,
        "key_hash" varchar(64) not null constraint "customer_api_key_key_hash_unique" unique,
        "created_at" timestamptz not null,
        "expires_at" timestamptz null
      );`);
    this.addSql(`create index "customer_api_key_customer_id_index" on "customer_api_key" ("customer_id");`);
    this.addSql(`create index "customer_api_key_expires_at_index" on "customer_api_key" ("expires_at");`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "customer_api_key" cascade;');
    this.addSql('drop table if exists "customer" cascade;');
  }
}
