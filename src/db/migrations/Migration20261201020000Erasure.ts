import { Migration } from '@mikro-orm/migrations';
import { tenantPolicySql } from '../tenant-tables';

/** Erasure (issue #6): deletion requests and their receipts, and per-customer profile retention. */
export class Migration20261201020000Erasure extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "deletion_request" ("id" uuid not null, "customer_id" uuid not null, "kind" text check ("kind" in ('PROFILE', 'CUSTOMER')) not null, "reason" text check ("reason" in ('REQUEST', 'RETENTION')) not null default 'REQUEST', "status" text check ("status" in ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED')) not null default 'PENDING', "profile_id" uuid null, "subject_hash" varchar(64) null, "username" varchar(255) null, "requested_by_kind" varchar(16) not null, "requested_by_id" varchar(255) not null, "requested_at" timestamptz not null, "started_at" timestamptz null, "heartbeat_at" timestamptz null, "completed_at" timestamptz null, "counts" jsonb not null default '{}', "failures" int not null default 0, "last_error" varchar(64) null, constraint "deletion_request_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "deletion_request_customer_id_index" on "deletion_request" ("customer_id");`);
    this.addSql(`create index "deletion_request_open_index" on "deletion_request" ("status", "requested_at") where "status" in ('PENDING', 'RUNNING');`);
    this.addSql(
      `create unique index "deletion_request_open_profile_unique" on "deletion_request" ("customer_id", "subject_hash") where "kind" = 'PROFILE' and "status" in ('PENDING', 'RUNNING');`,
    );
    this.addSql(`create unique index "deletion_request_open_customer_unique" on "deletion_request" ("customer_id") where "kind" = 'CUSTOMER' and "status" in ('PENDING', 'RUNNING');`);
    // The username may stay only while the purge needs it.
    this.addSql(`alter table "deletion_request" add constraint "deletion_request_username_only_while_open" check ("username" is null or "status" in ('PENDING', 'RUNNING'));`);
    this.addSql(
      `alter table "deletion_request" add constraint "deletion_request_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`,
    );
    tenantPolicySql('deletion_request', 'customer_id').forEach((sql) => this.addSql(sql));

    this.addSql(`alter table "customer" add column "profile_retention_days" int null;`);
    // Retention selects a customer's profiles by when they were last seen.
    this.addSql(`create index "profile_customer_last_seen_index" on "profile" ("customer_id", "last_seen_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "profile_customer_last_seen_index";`);
    this.addSql(`alter table "customer" drop column "profile_retention_days";`);
    this.addSql('drop table if exists "deletion_request" cascade;');
  }
}
