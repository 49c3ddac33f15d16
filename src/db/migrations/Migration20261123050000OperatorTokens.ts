import { Migration } from '@mikro-orm/migrations';

/** Operator personal access tokens (roles, optional customer binding), stored only as HMACs. */
export class Migration20261123050000OperatorTokens extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "operator_token" ("id" uuid not null, "name" varchar(200) not null, "role" varchar(32) not null, "customer_id" uuid null, "token_hash" varchar(64) not null, "created_by" varchar(64) not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, "expires_at" timestamptz null, constraint "operator_token_pkey" primary key ("id"));`);
    this.addSql(`create index "operator_token_customer_id_index" on "operator_token" ("customer_id");`);
    this.addSql(`alter table "operator_token" add constraint "operator_token_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "operator_token_created_at_id_index" on "operator_token" ("created_at", "id");`);
    this.addSql(`alter table "operator_token" add constraint "operator_token_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "operator_token" cascade;`);
  }
}
