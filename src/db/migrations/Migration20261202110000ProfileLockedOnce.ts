import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE, PLATFORM_ROLE } from '../tenant-tables';
import { AddSql } from './login-steps/add-sql';
import { browserReturn } from './login-steps/browser-return.sql';
import { complete } from './login-steps/complete.sql';
import { consent } from './login-steps/consent.sql';
import { postback } from './login-steps/postback.sql';
import { profileRecord } from './login-steps/profile-record.sql';
import { completionLockedOnce } from './profile-locked-once/completion.sql';
import { postbackLockedOnce } from './profile-locked-once/postback.sql';

const PROFILE_APPLY = 'ids_profile_apply(profile, uuid, text, jsonb, boolean, boolean, timestamptz, text, text, text)';

/**
 * Issue 16: each login step locks the person's profile row once. The postback locked it and then
 * `ids_profile_record` locked it again; the browser's return and the consent form locked it and
 * then `ids_flow_complete` locked it again. Now the postback hands its locked row to
 * `ids_profile_apply`, and `ids_flow_complete` reads under its caller's lock (the return and the
 * consent form also lock the profile when the postback named the user between their unlocked read
 * of the username and their lock of the request, the one case where they did not hold it yet; they
 * do so only just before an assertion, as `ids_flow_complete` did, so refusals, the consent page and
 * a deny never wait for a profile while holding a request).
 */
export class Migration20261202110000ProfileLockedOnce extends Migration {
  override async up(): Promise<void> {
    const addSql: AddSql = (sql) => this.addSql(sql);
    postbackLockedOnce.up(addSql);
    completionLockedOnce.up(addSql);
    // As every piece the steps call: run as the caller, so both the service's role and the platform path (ids_profile_record) need it.
    this.addSql(`revoke all on function ${PROFILE_APPLY} from public;`);
    this.addSql(`grant execute on function ${PROFILE_APPLY} to ${APP_ROLE};`);
    this.addSql(`grant execute on function ${PROFILE_APPLY} to ${PLATFORM_ROLE};`);
  }

  override async down(): Promise<void> {
    // The LoginSteps definitions again (same signatures, so replaced in place, grants kept).
    const replace: AddSql = (sql) => this.addSql(sql.replace(/^(\s*)create function /, '$1create or replace function '));
    profileRecord.up(replace);
    postback.up(replace);
    complete.up(replace);
    browserReturn.up(replace);
    consent.up(replace);
    this.addSql(`drop function if exists ${PROFILE_APPLY};`);
  }
}
