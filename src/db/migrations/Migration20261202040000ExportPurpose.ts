import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 14: an export made for the person's own access request (GDPR art. 15) holds a restricted
 * person's data whole; any other export of a restricted profile holds only what a restricted read shows.
 */
export class Migration20261202040000ExportPurpose extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "profile_export" add column "is_subject_access_request" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "profile_export" drop column "is_subject_access_request";`);
  }
}
