import { Migration } from '@mikro-orm/migrations';

export class Migration20261123010000OpenidStores extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "openid_association" (
        "customer_id" uuid not null constraint "openid_association_customer_id_foreign" references "customer" ("id") on update cascade on delete cascade,
        "handle" varchar(255) not null,
        "assoc_type" varchar(16) not null,
        "secret" bytea not null,
        "is_private" boolean not null,
        "issued_at" timestamptz not null,
        "expires_at" timestamptz not null,
        constraint "openid_association_pkey" primary key ("customer_id", "handle")
      );`);
    this.addSql(`create index "openid_association_expires_at_index" on "openid_association" ("expires_at");`);
    this.addSql(`
      create table "openid_nonce" (
        "customer_id" uuid not null constraint "openid_nonce_customer_id_foreign" references "customer" ("id") on update cascade on delete cascade,
        "nonce" varchar(255) not null,
        "expires_at" timestamptz not null,
        constraint "openid_nonce_pkey" primary key ("customer_id", "nonce")
      );`);
    this.addSql(`create index "openid_nonce_expires_at_index" on "openid_nonce" ("expires_at");`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "openid_nonce" cascade;');
    this.addSql('drop table if exists "openid_association" cascade;');
  }
}
