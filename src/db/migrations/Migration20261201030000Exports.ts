import { Migration } from '@mikro-orm/migrations';
import { tenantPolicySql } from '../tenant-tables';

/** Profile exports (issue #6, portability): the request, its state and the sealed document. */
export class Migration20261201030000Exports extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "profile_export" ("id" uuid not null, "customer_id" uuid not null, "profile_id" uuid not null, "status" text check ("status" in ('PENDING', 'READY', 'EXPIRED', 'FAILED')) not null default 'PENDING', "requested_at" timestamptz not null, "ready_at" timestamptz null, "expires_at" timestamptz null, "purged_at" timestamptz null, "failed_at" timestamptz null, "attempts" int not null default 0, "document" bytea null, constraint "profile_export_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "profile_export_customer_id_index" on "profile_export" ("customer_id");`);
    this.addSql(`create index "profile_export_profile_id_index" on "profile_export" ("profile_id");`);
    this.addSql(`create index "profile_export_expires_at_index" on "profile_export" ("expires_at");`);
    this.addSql(`create index "profile_export_pending_index" on "profile_export" ("requested_at") where "status" = 'PENDING';`);
    this.addSql(
      `alter table "profile_export" add constraint "profile_export_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "profile_export" add constraint "profile_export_profile_id_foreign" foreign key ("profile_id") references "profile" ("id") on update cascade on delete cascade;`,
    );
    tenantPolicySql('profile_export', 'customer_id').forEach((sql) => this.addSql(sql));
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "profile_export" cascade;');
  }
}
