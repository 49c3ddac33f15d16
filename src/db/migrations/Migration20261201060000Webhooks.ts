import { Migration } from '@mikro-orm/migrations';
import { tenantPolicySql } from '../tenant-tables';

/** Webhooks (issue #7): endpoints, deliveries and their attempts; the outbox learns who dispatched what. */
export class Migration20261201060000Webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "webhook_endpoint" ("id" uuid not null, "customer_id" uuid not null, "url" varchar(2048) not null, "events" text[] not null default '{}', "description" varchar(500) null, "secret" bytea not null, "previous_secret" bytea null, "previous_secret_expires_at" timestamptz null, "disabled_at" timestamptz null, "disabled_reason" varchar(200) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "webhook_endpoint_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "webhook_endpoint_customer_id_index" on "webhook_endpoint" ("customer_id");`);
    this.addSql(
      `create table "webhook_delivery" ("id" uuid not null, "customer_id" uuid not null, "endpoint_id" uuid not null, "event_id" uuid not null, "event_type" varchar(64) not null, "body" text not null, "subject_hash" varchar(64) null, "status" text check ("status" in ('PENDING', 'SUCCEEDED', 'FAILED')) not null default 'PENDING', "attempts" int not null default 0, "next_attempt_at" timestamptz null, "claimed_until" timestamptz null, "last_status_code" int null, "last_error" varchar(500) null, "created_at" timestamptz not null, "completed_at" timestamptz null, constraint "webhook_delivery_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "webhook_delivery_customer_id_index" on "webhook_delivery" ("customer_id");`);
    this.addSql(`create index "webhook_delivery_subject_hash_index" on "webhook_delivery" ("subject_hash");`);
    this.addSql(`create index "webhook_delivery_endpoint_created_index" on "webhook_delivery" ("endpoint_id", "created_at", "id");`);
    this.addSql(`create index "webhook_delivery_due_index" on "webhook_delivery" ("next_attempt_at") where "status" = 'PENDING';`);
    this.addSql(
      `create table "webhook_attempt" ("id" uuid not null, "customer_id" uuid not null, "delivery_id" uuid not null, "attempted_at" timestamptz not null, "status_code" int null, "latency_ms" int not null, "error" varchar(500) null, constraint "webhook_attempt_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "webhook_attempt_customer_id_index" on "webhook_attempt" ("customer_id");`);
    this.addSql(`create index "webhook_attempt_delivery_id_index" on "webhook_attempt" ("delivery_id");`);
    this.addSql(
      `alter table "webhook_endpoint" add constraint "webhook_endpoint_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "webhook_delivery" add constraint "webhook_delivery_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "webhook_delivery" add constraint "webhook_delivery_endpoint_id_foreign" foreign key ("endpoint_id") references "webhook_endpoint" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "webhook_attempt" add constraint "webhook_attempt_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "webhook_attempt" add constraint "webhook_attempt_delivery_id_foreign" foreign key ("delivery_id") references "webhook_delivery" ("id") on update cascade on delete cascade;`,
    );
    for (const table of ['webhook_endpoint', 'webhook_delivery', 'webhook_attempt']) tenantPolicySql(table, 'customer_id').forEach((sql) => this.addSql(sql));

    this.addSql(`alter table "audit_outbox" add column "dispatched_at" timestamptz null;`);
    // Events from before webhooks existed had no endpoint to go to.
    this.addSql(`update "audit_outbox" set "dispatched_at" = now();`);
    this.addSql(`create index "audit_outbox_undispatched_index" on "audit_outbox" ("id") where "dispatched_at" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "audit_outbox_undispatched_index";`);
    this.addSql(`alter table "audit_outbox" drop column "dispatched_at";`);
    this.addSql('drop table if exists "webhook_attempt" cascade;');
    this.addSql('drop table if exists "webhook_delivery" cascade;');
    this.addSql('drop table if exists "webhook_endpoint" cascade;');
  }
}
