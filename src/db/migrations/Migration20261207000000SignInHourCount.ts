import { Migration } from '@mikro-orm/migrations';
import { tenantPolicySql } from '../tenant-tables';

/**
 * Sign-ins per customer and UTC hour, by outcome, once their authentication requests are purged
 * (issue 21's 7-day chart): the retention purge deletes finished requests AUTH_REQUEST_RETENTION_HOURS
 * (24 by default) after they finish, and folds each one it deletes into its hour here, in the same
 * statement (identity-flow/auth-request.repository.ts), so a request is counted either live in
 * `auth_request` or here, never both and never neither.
 *
 * Counts only: no username, realm, request or reason, so keeping them longer than the requests
 * keeps nothing about a person. A purged request is finished, so there is no in-progress column.
 * The purge drops hours older than the longest chart range and a margin (SIGN_IN_COUNT_RETENTION_HOURS).
 */
export class Migration20261207000000SignInHourCount extends Migration {
  override async up(): Promise<void> {
    const sql = this.addSql.bind(this);
    sql(
      `create table "sign_in_hour_count" ("customer_id" uuid not null, "hour_start" timestamptz not null,
         "succeeded" int not null default 0, "declined" int not null default 0, "cancelled" int not null default 0,
         "failed" int not null default 0, "expired" int not null default 0,
         constraint "sign_in_hour_count_pkey" primary key ("customer_id", "hour_start"),
         constraint "sign_in_hour_count_not_negative" check ("succeeded" >= 0 and "declined" >= 0 and "cancelled" >= 0 and "failed" >= 0 and "expired" >= 0));`,
    );
    sql(
      `alter table "sign_in_hour_count" add constraint "sign_in_hour_count_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`,
    );
    // The purge of old hours reads by time across customers.
    sql(`create index "sign_in_hour_count_hour_start_index" on "sign_in_hour_count" ("hour_start");`);
    tenantPolicySql('sign_in_hour_count', 'customer_id').forEach(sql);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "sign_in_hour_count" cascade;`);
  }
}
