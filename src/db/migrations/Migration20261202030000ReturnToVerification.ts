import { Migration } from '@mikro-orm/migrations';

/**
 * Return-URL verification by RP discovery (issue 14, item 4): the customer's setting, and the
 * outcome recorded on each auth request.
 */
export class Migration20261202030000ReturnToVerification extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "customer" add column "return_to_verification" text check ("return_to_verification" in ('OFF', 'RECORD', 'REQUIRE')) not null default 'RECORD';`);
    this.addSql(`alter table "auth_request" add column "return_to_verification" text check ("return_to_verification" in ('VERIFIED', 'UNVERIFIED', 'FAILED', 'SKIPPED')) null, add column "return_to_verification_reason" varchar(64) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "auth_request" drop column "return_to_verification", drop column "return_to_verification_reason";`);
    this.addSql(`alter table "customer" drop column "return_to_verification";`);
  }
}
