import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 17: an open deletion request holds the username sealed under its customer's key
 * (`deletion_request.username:<id>`), longer than the clear value it replaces; an export names the
 * person key its document is sealed under; audit payloads stored before encryption are found by a
 * partial index until the drain has sealed them.
 */
export class Migration20261202150000SealedErasureAndExports extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "deletion_request" alter column "username" type text using "username"::text;`);
    this.addSql(`alter table "profile_export" add column "person_key_id" uuid null;`);
    this.addSql(`create index "audit_payload_unsealed_index" on "audit_payload" ("event_id") where ("data" ->> 'box') is null;`);
  }
}
