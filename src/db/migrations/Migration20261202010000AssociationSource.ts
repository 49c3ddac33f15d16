import { Migration } from '@mikro-orm/migrations';

/**
 * Shared associations remember who asked for them, as a keyed hash of the source address (never the
 * address itself: personal data), so the live ones per customer and address can be counted and capped.
 */
export class Migration20261202010000AssociationSource extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "openid_association" add column "source_hash" varchar(64) null;`);
    this.addSql(`create index "openid_association_source_index" on "openid_association" ("customer_id", "source_hash");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "openid_association_source_index";`);
    this.addSql(`alter table "openid_association" drop column if exists "source_hash";`);
  }
}
