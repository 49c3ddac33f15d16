import { Migration } from '@mikro-orm/migrations';

/** Restriction of processing (GDPR art. 18, issue 6 item 5): when set, a profile is stored but not used. */
export class Migration20261201040000ProfileRestriction extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "profile" add column "restricted_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "profile" drop column "restricted_at";`);
  }
}
