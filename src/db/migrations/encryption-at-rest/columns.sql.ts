import { AddSql } from '../login-steps/add-sql';

/**
 * Where a person's values are sealed, the columns hold `ef1.` ciphertexts (too long for the old
 * varchar limits), and lookups go through keyed hashes beside them. `person_key_id` names the key
 * a row's values are sealed under; null on a row written before encryption (the upgrade job seals it).
 */
export const encryptedColumns = {
  up(addSql: AddSql): void {
    const sreg = ['nickname', 'email', 'fullname', 'dob', 'gender', 'postcode', 'country', 'language', 'timezone'];
    addSql(`alter table "profile" ${['username', ...sreg].map((c) => `alter column "${c}" type text`).join(', ')},
      add column "username_hash" text null, add column "email_hash" text null, add column "person_key_id" uuid null,
      add column "attribute_digests" jsonb null, add column "unsealed" boolean not null default false;`);
    // Every profile written so far holds clear values: the upgrade job (keys/legacy-sealer.ts) seals them.
    addSql(`update "profile" set "unsealed" = true;`);
    addSql(`create unique index "profile_customer_username_hash_unique" on "profile" ("customer_id", "username_hash");`);
    addSql(`create index "profile_customer_email_hash_index" on "profile" ("customer_id", "email_hash");`);
    addSql(`create index "profile_unsealed_index" on "profile" ("id") where "unsealed";`);

    addSql(`alter table "auth_request" alter column "username" type text, add column "username_hash" text null, add column "person_key_id" uuid null;`);
    addSql(`create index "auth_request_username_hash_index" on "auth_request" ("customer_id", "username_hash");`);
    addSql(`create index "auth_request_unsealed_index" on "auth_request" ("id") where "person_key_id" is null and "username" is not null;`);

    addSql(`alter table "consent_decision" alter column "username" type text, add column "username_hash" text null, add column "person_key_id" uuid null;`);
    addSql(`create index "consent_decision_subject_hash_index" on "consent_decision" ("customer_id", "username_hash", "realm");`);
    addSql(`create index "consent_decision_unsealed_index" on "consent_decision" ("id") where "person_key_id" is null;`);

    addSql(`alter table "oauth_login_code" alter column "username" type text, add column "username_hash" text null, add column "person_key_id" uuid null;`);
    addSql(`create index "oauth_login_code_unsealed_index" on "oauth_login_code" ("id") where "person_key_id" is null;`);
  },
};
