import { Migration } from '@mikro-orm/migrations';

/** FAILED webhook deliveries are purged once they have been failed for WEBHOOK_FAILED_RETENTION_DAYS; this finds them without a scan. */
export class Migration20261202000000WebhookFailedRetention extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "webhook_delivery_failed_index" on "webhook_delivery" ("completed_at") where "status" = 'FAILED';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "webhook_delivery_failed_index";`);
  }
}
