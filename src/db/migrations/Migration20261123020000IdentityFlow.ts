import { Migration } from '@mikro-orm/migrations';

/** Authentication requests and their timeline, consent decisions, profiles (delegated login flow). */
export class Migration20261123020000IdentityFlow extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "consent_decision" ("id" uuid not null, "customer_id" uuid not null, "username" varchar(255) not null, "realm" text not null, "decision" varchar(8) not null, "granted_fields" text[] not null default '{}', "is_remembered" boolean not null, "auth_request_id" uuid null, "decided_at" timestamptz not null, "revoked_at" timestamptz null, constraint "consent_decision_pkey" primary key ("id"));`);
    this.addSql(`create index "consent_decision_subject_index" on "consent_decision" ("customer_id", "username", "realm");`);
    this.addSql(`create table "auth_request" ("id" uuid not null, "customer_id" uuid not null, "request_id_hash" varchar(64) not null, "status" text check ("status" in ('AWAITING_AW', 'AUTHENTICATED', 'CANCELLED', 'CONSENT_PENDING', 'COMPLETED', 'EXPIRED')) not null, "mode" varchar(32) not null, "realm" text not null, "return_to" text not null, "openid_request" jsonb not null, "requested_fields" text[] not null default '{}', "required_fields" text[] not null default '{}', "username" varchar(255) null, "no_prompt" boolean null, "is_minor" boolean not null default false, "supplied" jsonb null, "blob" text null, "auth_time" timestamptz null, "auth_policies" text[] null, "postback_digest" varchar(64) null, "outcome" varchar(16) null, "released_fields" text[] not null default '{}', "failure_reason" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "expires_at" timestamptz not null, constraint "auth_request_pkey" primary key ("id"));`);
    this.addSql(`alter table "auth_request" add constraint "auth_request_request_id_hash_unique" unique ("request_id_hash");`);
    this.addSql(`create index "auth_request_username_index" on "auth_request" ("username");`);
    this.addSql(`create index "auth_request_expires_at_index" on "auth_request" ("expires_at");`);
    this.addSql(`create index "auth_request_customer_created_index" on "auth_request" ("customer_id", "created_at", "id");`);
    this.addSql(`create table "auth_request_transition" ("id" uuid not null, "auth_request_id" uuid not null, "event" varchar(32) not null, "from_status" text check ("from_status" in ('AWAITING_AW', 'AUTHENTICATED', 'CANCELLED', 'CONSENT_PENDING', 'COMPLETED', 'EXPIRED')) null, "to_status" text check ("to_status" in ('AWAITING_AW', 'AUTHENTICATED', 'CANCELLED', 'CONSENT_PENDING', 'COMPLETED', 'EXPIRED')) not null, "at" timestamptz not null, "reason" text null, constraint "auth_request_transition_pkey" primary key ("id"));`);
    this.addSql(`create index "auth_request_transition_request_index" on "auth_request_transition" ("auth_request_id");`);
    this.addSql(`create table "profile" ("id" uuid not null, "customer_id" uuid not null, "username" varchar(255) not null, "nickname" varchar(1024) null, "email" varchar(1024) null, "fullname" varchar(1024) null, "dob" varchar(1024) null, "gender" varchar(1024) null, "postcode" varchar(1024) null, "country" varchar(1024) null, "language" varchar(1024) null, "timezone" varchar(1024) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "last_seen_at" timestamptz not null, constraint "profile_pkey" primary key ("id"));`);
    this.addSql(`alter table "profile" add constraint "profile_customer_username_unique" unique ("customer_id", "username");`);
    this.addSql(`alter table "consent_decision" add constraint "consent_decision_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "auth_request" add constraint "auth_request_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "auth_request_transition" add constraint "auth_request_transition_auth_request_id_foreign" foreign key ("auth_request_id") references "auth_request" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "profile" add constraint "profile_customer_id_foreign" foreign key ("customer_id") references "customer" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists \"auth_request_transition\" cascade;");
    this.addSql("drop table if exists \"auth_request\" cascade;");
    this.addSql("drop table if exists \"consent_decision\" cascade;");
    this.addSql("drop table if exists \"profile\" cascade;");
  }
}
