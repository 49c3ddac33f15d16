import { Migration } from '@mikro-orm/migrations';

/**
 * A customer's privacy center settings (issue 22, customers/privacy-center-settings.ts), as one JSON
 * value on the customer row: they move, and go, with the customer. `{}` is a closed center.
 */
export class Migration20261208000000PrivacyCenterSettings extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "customer" add column "privacy_center" jsonb not null default '{}';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "customer" drop column if exists "privacy_center";`);
  }
}
