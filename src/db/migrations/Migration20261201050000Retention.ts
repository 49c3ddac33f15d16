import { Migration } from '@mikro-orm/migrations';
import { platformPolicySql } from '../tenant-tables';

/**
 * Retention purges (issue #6, item 6): the record of each purge run (platform data, visible to the
 * platform path only) and the indexes the new purges of authentication requests and moved audit
 * outbox rows need.
 */
export class Migration20261201050000Retention extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "purge_run" ("id" uuid not null, "job" varchar(64) not null, "started_at" timestamptz not null, "finished_at" timestamptz not null, "removed" jsonb not null, "failures" jsonb not null, constraint "purge_run_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "purge_run_started_index" on "purge_run" ("started_at", "id");`);
    platformPolicySql('purge_run').forEach((sql) => this.addSql(sql));

    this.addSql(`create index "auth_request_finished_index" on "auth_request" ("updated_at") where "status" in ('COMPLETED', 'CANCELLED', 'EXPIRED');`);
    this.addSql(`create index "audit_outbox_moved_index" on "audit_outbox" ("audited_at") where "audited_at" is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "audit_outbox_moved_index";`);
    this.addSql(`drop index if exists "auth_request_finished_index";`);
    this.addSql(`drop table if exists "purge_run" cascade;`);
  }
}
