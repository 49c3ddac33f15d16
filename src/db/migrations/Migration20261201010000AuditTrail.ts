import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE, tenantPolicySql } from '../tenant-tables';

/** The audit trail (issue #6): the outbox, the chained events and their erasable payloads. */
export class Migration20261201010000AuditTrail extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "audit_outbox" ("id" bigserial primary key, "customer_id" uuid null, "occurred_at" timestamptz not null, "actor_kind" varchar(16) not null, "actor_id" varchar(255) not null, "action" varchar(64) not null, "target_type" varchar(32) not null, "target_id" varchar(255) null, "subject_hash" varchar(64) null, "fields" text[] not null default '{}', "details" jsonb null, "payload" jsonb null, "audited_at" timestamptz null);`,
    );
    this.addSql(`create index "audit_outbox_customer_id_index" on "audit_outbox" ("customer_id");`);
    this.addSql(`create index "audit_outbox_subject_hash_index" on "audit_outbox" ("subject_hash");`);
    this.addSql(`create index "audit_outbox_pending_index" on "audit_outbox" ("id") where "audited_at" is null;`);

    this.addSql(
      `create table "audit_event" ("id" uuid not null, "chain" varchar(36) not null, "seq" bigint not null, "customer_id" uuid null, "occurred_at" timestamptz not null, "recorded_at" timestamptz not null, "actor_kind" varchar(16) not null, "actor_id" varchar(255) not null, "action" varchar(64) not null, "target_type" varchar(32) not null, "target_id" varchar(255) null, "subject_hash" varchar(64) null, "fields" text[] not null default '{}', "details" jsonb null, "payload_digest" varchar(64) null, "prev_digest" varchar(64) not null, "digest" varchar(64) not null, constraint "audit_event_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "audit_event_customer_id_index" on "audit_event" ("customer_id");`);
    this.addSql(`create index "audit_event_subject_hash_index" on "audit_event" ("subject_hash");`);
    this.addSql(`create index "audit_event_customer_occurred_index" on "audit_event" ("customer_id", "occurred_at", "id");`);
    this.addSql(`alter table "audit_event" add constraint "audit_event_chain_seq_unique" unique ("chain", "seq");`);

    this.addSql(
      `create table "audit_payload" ("event_id" uuid not null, "customer_id" uuid null, "subject_hash" varchar(64) null, "data" jsonb not null, constraint "audit_payload_pkey" primary key ("event_id"));`,
    );
    this.addSql(`create index "audit_payload_customer_id_index" on "audit_payload" ("customer_id");`);
    this.addSql(`create index "audit_payload_subject_hash_index" on "audit_payload" ("subject_hash");`);

    this.addSql(
      `alter table "audit_outbox" add constraint "audit_outbox_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "audit_event" add constraint "audit_event_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "audit_payload" add constraint "audit_payload_event_id_foreign" foreign key ("event_id") references "audit_event" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "audit_payload" add constraint "audit_payload_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`,
    );

    for (const table of ['audit_outbox', 'audit_event', 'audit_payload']) tenantPolicySql(table, 'customer_id').forEach((sql) => this.addSql(sql));
    // Events are append-only for the service: it may add links and read them, never rewrite or
    // drop one (a customer's removal still cascades, as the owner). Payloads may be erased, not edited.
    this.addSql(`revoke update, delete on "audit_event" from ${APP_ROLE};`);
    this.addSql(`revoke update on "audit_payload" from ${APP_ROLE};`);
    this.addSql(`grant usage, select on sequence "audit_outbox_id_seq" to ${APP_ROLE};`);
    this.addSql(`alter default privileges in schema public grant usage, select on sequences to ${APP_ROLE};`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter default privileges in schema public revoke usage, select on sequences from ${APP_ROLE};`);
    this.addSql('drop table if exists "audit_payload" cascade;');
    this.addSql('drop table if exists "audit_event" cascade;');
    this.addSql('drop table if exists "audit_outbox" cascade;');
  }
}
