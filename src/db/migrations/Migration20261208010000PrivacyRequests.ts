import { Migration } from '@mikro-orm/migrations';
import { tenantPolicySql } from '../tenant-tables';

/**
 * A data subject's requests and their answers (issue 22, privacy-requests/privacy-request.entity.ts):
 * kind, status, due date (30 days after receipt), outcome. No personal value: the person only by the
 * audit trail's keyed subject hash, details only field names and codes; so the rows stay, as the
 * record of the answer, after the person is erased. A tenant table: it moves, and goes, with the customer.
 */
export class Migration20261208010000PrivacyRequests extends Migration {
  override async up(): Promise<void> {
    const sql = this.addSql.bind(this);
    sql(
      `create table "privacy_request" ("id" uuid not null, "customer_id" uuid not null,
         "kind" text check ("kind" in ('EXPORT', 'RECTIFICATION', 'RESTRICTION', 'DELETION', 'OBJECTION')) not null,
         "status" text check ("status" in ('PENDING_REVIEW', 'IN_PROGRESS', 'COMPLETED', 'DECLINED')) not null,
         "channel" text check ("channel" in ('PRIVACY_CENTER')) not null default 'PRIVACY_CENTER',
         "profile_id" uuid null, "subject_hash" varchar(64) not null, "details" jsonb not null default '{}',
         "export_id" uuid null, "deletion_request_id" uuid null,
         "received_at" timestamptz not null, "due_at" timestamptz not null, "completed_at" timestamptz null,
         "outcome" text null, "decided_by_kind" varchar(16) null, "decided_by_id" varchar(255) null, "updated_at" timestamptz not null,
         constraint "privacy_request_pkey" primary key ("id"));`,
    );
    sql(
      `alter table "privacy_request" add constraint "privacy_request_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`,
    );
    // The list's pages (newest first), a person's own requests, the completion hooks' lookups, and the overdue count.
    sql(`create index "privacy_request_customer_received_index" on "privacy_request" ("customer_id", "received_at", "id");`);
    sql(`create index "privacy_request_customer_subject_index" on "privacy_request" ("customer_id", "subject_hash");`);
    sql(`create index "privacy_request_export_id_index" on "privacy_request" ("export_id");`);
    sql(`create index "privacy_request_deletion_request_id_index" on "privacy_request" ("deletion_request_id");`);
    sql(`create index "privacy_request_open_due_index" on "privacy_request" ("due_at") where "status" in ('PENDING_REVIEW', 'IN_PROGRESS');`);
    // One open deletion request per person: two concurrent requests from the center cannot both be recorded.
    sql(
      `create unique index "privacy_request_open_deletion_unique" on "privacy_request" ("customer_id", "subject_hash") where "kind" = 'DELETION' and "status" in ('PENDING_REVIEW', 'IN_PROGRESS');`,
    );
    tenantPolicySql('privacy_request', 'customer_id').forEach(sql);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "privacy_request" cascade;`);
  }
}
