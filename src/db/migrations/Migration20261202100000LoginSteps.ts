import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE, PLATFORM_ROLE } from '../tenant-tables';
import { AddSql } from './login-steps/add-sql';
import { changeNotifications } from './login-steps/change-notifications.sql';
import { sharedPieces } from './login-steps/shared-pieces.sql';
import { checkid } from './login-steps/checkid.sql';
import { profileRecord } from './login-steps/profile-record.sql';
import { postback } from './login-steps/postback.sql';
import { complete } from './login-steps/complete.sql';
import { browserReturn } from './login-steps/browser-return.sql';
import { consent } from './login-steps/consent.sql';
import { opStores } from './login-steps/op-stores.sql';

/**
 * The delegated login's steps as SQL functions (issue 15): each step of the flow (checkid, the AW's
 * postback, the browser's return, the consent form) is one statement. Each function enters its
 * customer's row-level-security scope itself (`set_config(…, true)` lasts the statement's own
 * transaction), locks the auth request, checks its state, and writes the transition, its timeline
 * row, the profile, the audit outbox events and the login code together, then answers what the
 * HTTP layer needs. They run as the caller (`ids_app`), so row-level security applies to every row
 * they touch. Decisions that are rules of the service (what the disclosure rule lets a request keep,
 * the sreg fields a postback may record) are taken in TypeScript and passed in; the functions only
 * apply them where a fact is known in the database alone (whether the person is restricted).
 *
 * Also: the keyed subject hash of the user is kept on the request from the postback on (the audit
 * events of the return name the user by it); `NOTIFY ids_changes` on every customer change and on the
 * deletion of a shared association, for the caches of every instance (db/change-feed.ts); and the
 * association and nonce stores of the OP endpoint as one-statement functions.
 */
export class Migration20261202100000LoginSteps extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table auth_request add column subject_hash varchar(64) null;`);
    // Whether the RP asked for PAPE no-PII, decided once from the request at checkid (the postback applies the disclosure rule with it).
    this.addSql(`alter table auth_request add column is_no_pii_requested boolean not null default false;`);
    this.addSql(`update auth_request set is_no_pii_requested = coalesce((openid_request #>> '{input,pape,isNoPiiRequested}')::boolean, false);`);
    // Requests the AW posted back before this upgrade have no subject hash, which the audit events of
    // their completion need (it is keyed with SECRET_KEY, so SQL cannot compute it): they expire, and
    // the user starts again (a sign-in lives AUTH_REQUEST_TTL_SECONDS, 10 minutes by default).
    this.addSql(`
      with previous as (select id, status from auth_request where status in ('AUTHENTICATED', 'CONSENT_PENDING') for update),
      expired as (
        update auth_request a set status = 'EXPIRED', updated_at = now(), failure_reason = 'expired by a service upgrade'
          from previous p where a.id = p.id returning a.id, a.customer_id, p.status as from_status
      )
      insert into auth_request_transition (id, auth_request_id, customer_id, event, from_status, to_status, at, reason)
      select gen_random_uuid(), id, customer_id, 'EXPIRE', from_status, 'EXPIRED', now(), 'expired by a service upgrade' from expired;`);

    const addSql: AddSql = (sql) => this.addSql(sql);
    changeNotifications.up(addSql);
    sharedPieces.up(addSql);
    checkid.up(addSql);
    profileRecord.up(addSql);
    postback.up(addSql);
    complete.up(addSql);
    browserReturn.up(addSql);
    consent.up(addSql);
    opStores.up(addSql);

    for (const fn of [
      'ids_flow_begin(uuid, uuid, text, text, text, text, text, text, timestamptz, text, jsonb, text[], text[], boolean, timestamptz, timestamptz)',
      'ids_flow_postback(uuid, text, text, text, timestamptz, boolean, boolean, text, boolean, boolean, jsonb, text, jsonb, jsonb, boolean, timestamptz, text[], text, text, text)',
      'ids_flow_return(uuid, text, uuid, boolean, timestamptz, text[], text, text, uuid, text, timestamptz)',
      'ids_flow_consent(uuid, uuid, boolean, text, text[], boolean, timestamptz, text, text, uuid, text, timestamptz)',
      'ids_flow_expire_request(uuid, uuid, timestamptz, text)',
      'ids_association_find(uuid, text, boolean)',
      'ids_association_save(uuid, text, text, bytea, boolean, timestamptz, timestamptz, text)',
      'ids_association_delete(uuid, text)',
      'ids_association_live_count(uuid, text, timestamptz)',
      'ids_association_save_shared(uuid, text, text, bytea, timestamptz, timestamptz, text, integer)',
      'ids_nonce_mark_used(uuid, text, timestamptz)',
    ]) {
      this.addSql(`revoke all on function ${fn} from public;`);
      this.addSql(`grant execute on function ${fn} to ${APP_ROLE};`);
    }
    // The pieces the steps call (they run as the caller, so the caller needs them); the platform path
    // records profiles as a postback does only through ids_profile_record.
    for (const fn of [
      'ids_flow_log(uuid, uuid, text, text, text, timestamptz, text)',
      'ids_audit_add(uuid, timestamptz, text, text, text, text, text, text, jsonb, jsonb, text)',
      'ids_flow_complete(auth_request, timestamptz, text, text[], text, text, boolean, text, text, uuid, text, timestamptz)',
      'ids_flow_expire(auth_request, timestamptz, text)',
      'ids_flow_consent_view(auth_request, text)',
      'ids_profile_record(uuid, text, jsonb, boolean, boolean, timestamptz, text, text, text)',
    ]) {
      this.addSql(`revoke all on function ${fn} from public;`);
      this.addSql(`grant execute on function ${fn} to ${APP_ROLE};`);
    }
    this.addSql(`grant execute on function ids_profile_record(uuid, text, jsonb, boolean, boolean, timestamptz, text, text, text) to ${PLATFORM_ROLE};`);
    this.addSql(`grant execute on function ids_audit_add(uuid, timestamptz, text, text, text, text, text, text, jsonb, jsonb, text) to ${PLATFORM_ROLE};`);
  }

  override async down(): Promise<void> {
    for (const fn of [
      'ids_profile_record', 'ids_nonce_mark_used', 'ids_association_save_shared', 'ids_association_live_count', 'ids_association_delete', 'ids_association_save', 'ids_association_find', 'ids_flow_expire_request',
      'ids_flow_consent', 'ids_flow_return', 'ids_flow_consent_view', 'ids_flow_expire', 'ids_flow_complete', 'ids_flow_postback', 'ids_flow_begin',
      'ids_audit_add', 'ids_flow_log',
    ]) {
      this.addSql(`drop function if exists ${fn} cascade;`);
    }
    this.addSql(`drop type if exists ids_flow_answer;`);
    this.addSql(`drop trigger if exists association_truncated on openid_association;`);
    this.addSql(`drop trigger if exists association_deleted on openid_association;`);
    this.addSql(`drop trigger if exists customer_changed on customer;`);
    this.addSql(`drop function if exists ids_notify_association_truncated();`);
    this.addSql(`drop function if exists ids_notify_association_deleted();`);
    this.addSql(`drop function if exists ids_notify_customer_changed();`);
    this.addSql(`alter table auth_request drop column if exists subject_hash;`);
    this.addSql(`alter table auth_request drop column if exists is_no_pii_requested;`);
  }
}
