import { Migration } from '@mikro-orm/migrations';
import { APP_ROLE, PLATFORM_ROLE } from '../tenant-tables';

/** The nine sreg attributes, in the order of the profile's columns (OpenID sreg 1.1 §3). */
const SREG = ['nickname', 'email', 'fullname', 'dob', 'gender', 'postcode', 'country', 'language', 'timezone'];

/** The audit worker's advisory lock (audit.service.ts DRAIN_LOCK): payloads never move while a child's are erased. */
const DRAIN_LOCK = 0x61756469;

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

    // --- change notifications -------------------------------------------------------------------
    this.addSql(`
      create function ids_notify_customer_changed() returns trigger language plpgsql as $$
      begin
        perform pg_notify('ids_changes', 'customer');
        return null;
      end $$;`);
    this.addSql(`create trigger customer_changed after insert or update or delete or truncate on customer for each statement execute function ids_notify_customer_changed();`);
    this.addSql(`
      create function ids_notify_association_deleted() returns trigger language plpgsql as $$
      begin
        perform pg_notify('ids_changes', 'association:' || old.customer_id::text);
        return null;
      end $$;`);
    this.addSql(`create trigger association_deleted after delete on openid_association for each row when (old.is_private = false) execute function ids_notify_association_deleted();`);
    this.addSql(`
      create function ids_notify_association_truncated() returns trigger language plpgsql as $$
      begin
        perform pg_notify('ids_changes', 'association:*');
        return null;
      end $$;`);
    this.addSql(`create trigger association_truncated after truncate on openid_association for each statement execute function ids_notify_association_truncated();`);

    // --- small pieces the steps share ------------------------------------------------------------
    this.addSql(`
      create function ids_flow_log(p_customer uuid, p_request uuid, p_event text, p_from text, p_to text, p_at timestamptz, p_reason text)
      returns void language sql set search_path = pg_catalog, pg_temp as $$
        insert into public.auth_request_transition (id, auth_request_id, customer_id, event, from_status, to_status, at, reason)
        values (gen_random_uuid(), p_request, p_customer, p_event, p_from, p_to, p_at, p_reason)
      $$;`);
    this.addSql(`
      create function ids_audit_add(p_customer uuid, p_at timestamptz, p_actor_kind text, p_actor_id text, p_action text, p_target_type text,
                                    p_target_id text, p_subject_hash text, p_changes jsonb, p_details jsonb, p_username text)
      returns void language sql set search_path = pg_catalog, pg_temp as $$
        -- As AuditService.record: field names in the chain, values (and the username) in the erasable payload,
        -- with a salt of its own (122 random bits of gen_random_uuid) so the digest the chain keeps reveals no guessable value.
        insert into public.audit_outbox (customer_id, occurred_at, actor_kind, actor_id, action, target_type, target_id, subject_hash, fields, details, payload)
        values (p_customer, p_at, p_actor_kind, p_actor_id, p_action, p_target_type, p_target_id, p_subject_hash,
                coalesce(array(select k from jsonb_object_keys(p_changes) as t(k) order by k collate "C"), '{}'::text[]),
                p_details,
                case when p_username is not null or p_changes is not null
                     then jsonb_build_object('salt', replace(gen_random_uuid()::text, '-', ''), 'subject', p_username, 'changes', p_changes) end)
      $$;`);
    this.addSql(`
      create type ids_flow_answer as (
        step text, auth_request_id uuid, request_id_hash text, status text, expires_at timestamptz,
        openid_request jsonb, username text, realm text, requested_fields text[], required_fields text[], is_minor boolean,
        supplied jsonb, blob text, auth_time timestamptz, auth_policies text[],
        outcome text, granted text[], released text[], is_code_issued boolean, is_restricted boolean
      );`);

    // --- step 2: checkid → Verify URL --------------------------------------------------------------
    this.addSql(`
      create function ids_flow_begin(p_customer uuid, p_id uuid, p_request_hash text, p_mode text, p_realm text, p_return_to text,
                                     p_verification text, p_verification_reason text, p_verification_at timestamptz, p_verification_log text,
                                     p_openid_request jsonb, p_requested text[], p_required text[], p_is_no_pii boolean, p_now timestamptz, p_expires_at timestamptz)
      returns boolean language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        if not exists (select 1 from public.customer where id = p_customer) then return false; end if;
        insert into public.auth_request (id, customer_id, request_id_hash, status, mode, realm, return_to, return_to_verification, return_to_verification_reason,
                                         openid_request, requested_fields, required_fields, is_no_pii_requested, is_minor, supplied, released_fields, created_at, updated_at, expires_at)
        values (p_id, p_customer, p_request_hash, 'AWAITING_AW', p_mode, p_realm, p_return_to, p_verification, p_verification_reason,
                p_openid_request, p_requested, p_required, p_is_no_pii, false, null, '{}', p_now, p_now, p_expires_at);
        perform public.ids_flow_log(p_customer, p_id, 'VERIFY_RETURN_TO', null, 'AWAITING_AW', p_verification_at, p_verification_log);
        perform public.ids_flow_log(p_customer, p_id, 'HANDOFF', null, 'AWAITING_AW', p_now, null);
        return true;
      end $$;`);

    const sregFromRecord = SREG.map((f) => `p_record->>'${f}'`).join(', ');
    const sregUpdate = SREG.map((f) => `"${f}" = case when '${f}' = any(changed) then p_record->>'${f}' else "${f}" end`).join(', ');
    // --- the profile a postback records (also ProfileService.recordFromPostback) ----------------------
    this.addSql(`
      create function ids_profile_record(p_customer uuid, p_username text, p_record jsonb, p_is_minor boolean, p_restricted_records boolean,
                                         p_now timestamptz, p_subject_hash text, p_actor_kind text, p_actor_id text)
      returns void language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        prof public.profile;
        is_restricted boolean;
        new_id uuid;
        held text[];
        changed text[];
      begin
        select * into prof from public.profile p where p.customer_id = p_customer and p.username = p_username for update;
        is_restricted := found and prof.restricted_at is not null;
        -- Created with what the postback may record, or updated where it changed.
        if prof.id is null then
          insert into public.profile (id, customer_id, username, ${SREG.map((f) => `"${f}"`).join(', ')}, created_at, updated_at, last_seen_at)
          values (gen_random_uuid(), p_customer, p_username, ${sregFromRecord}, p_now, p_now, p_now)
          on conflict (customer_id, username) do nothing returning id into new_id;
          if new_id is not null then
            perform public.ids_audit_add(p_customer, p_now, p_actor_kind, p_actor_id, 'profile.created', 'profile', new_id::text, p_subject_hash,
              coalesce((select jsonb_object_agg(k, jsonb_build_object('old', null, 'new', v)) from jsonb_each(p_record) as t(k, v)), '{}'::jsonb),
              null, p_username);
          else
            -- A concurrent postback for the same new user won the insert: update what it created.
            select * into prof from public.profile p where p.customer_id = p_customer and p.username = p_username for update;
            is_restricted := prof.restricted_at is not null;
          end if;
        end if;
        if prof.id is not null then
          if p_is_minor then
            -- COPPA: a child's profile holds the username only; the values recorded before, and the audit payloads holding them, go.
            held := array(select f from unnest(array[${SREG.map((f) => `'${f}'`).join(', ')}]::text[]) with ordinality as t(f, n)
                           where to_jsonb(prof) ->> f is not null order by n);
            if cardinality(held) > 0 then
              update public.profile set ${SREG.map((f) => `"${f}" = null`).join(', ')} where id = prof.id;
              prof := jsonb_populate_record(prof, (select jsonb_object_agg(f, 'null'::jsonb) from unnest(held) as t(f)));
              perform pg_advisory_xact_lock(${DRAIN_LOCK});
              update public.audit_outbox set payload = null where customer_id = p_customer and subject_hash = p_subject_hash and payload is not null;
              delete from public.audit_payload where customer_id = p_customer and subject_hash = p_subject_hash;
              perform public.ids_audit_add(p_customer, p_now, p_actor_kind, p_actor_id, 'profile.child_attributes_erased', 'profile', prof.id::text, p_subject_hash,
                null, jsonb_build_object('erasedFields', to_jsonb(held), 'reason', 'under_13'), p_username);
            end if;
          end if;
          changed := case when is_restricted and not p_restricted_records then '{}'::text[]
                          else array(select k from jsonb_each_text(p_record) as t(k, v) where (to_jsonb(prof) ->> k) is distinct from v) end;
          update public.profile set ${sregUpdate},
                 updated_at = case when cardinality(changed) > 0 then p_now else updated_at end, last_seen_at = p_now
           where id = prof.id;
          if cardinality(changed) > 0 then
            perform public.ids_audit_add(p_customer, p_now, p_actor_kind, p_actor_id, 'profile.updated', 'profile', prof.id::text, p_subject_hash,
              (select jsonb_object_agg(k, jsonb_build_object('old', to_jsonb(prof) -> k, 'new', p_record -> k)) from unnest(changed) as t(k)),
              null, p_username);
          end if;
        end if;
      end $$;`);

    // --- steps 4-5: the AW's postback --------------------------------------------------------------
    this.addSql(`
      create function ids_flow_postback(
        p_customer uuid, p_key_hash text, p_request_hash text, p_digest text, p_now timestamptz, p_is_content_invalid boolean,
        p_is_cancel boolean, p_username text, p_no_prompt boolean, p_is_minor boolean,
        p_supplied jsonb, p_blob text, p_keep jsonb,
        p_record jsonb, p_restricted_records boolean,
        p_auth_time timestamptz, p_auth_policies text[], p_subject_hash text, p_actor_kind text, p_actor_id text)
      returns table (outcome text, auth_request_id uuid) language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        r public.auth_request;
        prof public.profile;
        is_restricted boolean;
        keep jsonb;
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        if not exists (select 1 from public.customer c where c.id = p_customer) then return query select 'unknown_customer', null::uuid; return; end if;
        -- PROTOCOL.md §4.3's order: the key before anything about the request is revealed.
        if not public.ids_api_key_matches(p_customer, p_key_hash, p_now) then return query select 'invalid_api_key', null::uuid; return; end if;
        -- Locks in one order everywhere: the person's profile, then requests (see ids_flow_return).
        if p_username is not null and not p_is_cancel and not p_is_content_invalid then
          select * into prof from public.profile p where p.customer_id = p_customer and p.username = p_username for update;
          is_restricted := found and prof.restricted_at is not null;
        end if;
        select * into r from public.auth_request a where a.request_id_hash = p_request_hash and a.customer_id = p_customer for update;
        if not found then return query select 'unknown_request', null::uuid; return; end if;
        if r.status <> 'AWAITING_AW' then
          -- A retried postback with the same content: the AW did not see our 200; say it again.
          if r.postback_digest = p_digest then return query select 'repeated', r.id; return; end if;
          return query select case when r.status = 'EXPIRED' then 'expired' else 'already_posted' end, r.id; return;
        end if;
        if p_now >= r.expires_at then
          update public.auth_request set status = 'EXPIRED', updated_at = p_now, failure_reason = 'expired before the postback' where id = r.id;
          perform public.ids_flow_log(p_customer, r.id, 'EXPIRE', r.status, 'EXPIRED', p_now, null);
          return query select 'expired', r.id; return;
        end if;
        if p_is_content_invalid then return query select 'invalid_content', r.id; return; end if;
        if p_is_cancel then
          update public.auth_request set status = 'CANCELLED', updated_at = p_now, postback_digest = p_digest where id = r.id;
          perform public.ids_flow_log(p_customer, r.id, 'POSTBACK_CANCEL', r.status, 'CANCELLED', p_now, 'the AW reported a cancel');
          return query select 'accepted', r.id; return;
        end if;

        -- The person's restriction was read under the lock taken above, held to the commit (a restriction set meanwhile waits for us, or we for it).
        is_restricted := coalesce(is_restricted, false);
        -- What the request keeps for the assertion: the disclosure rule's answers, by the facts only the database knows.
        keep := p_keep -> (case when is_restricted then 'restricted' when r.is_no_pii_requested then 'noPii' else 'open' end);
        update public.auth_request set
          status = 'AUTHENTICATED', updated_at = p_now, username = p_username, no_prompt = p_no_prompt, is_minor = p_is_minor,
          supplied = case when (keep ->> 'attributes')::boolean then p_supplied else '{}'::jsonb end,
          blob = case when (keep ->> 'blob')::boolean then p_blob end,
          auth_time = p_auth_time, auth_policies = coalesce(p_auth_policies, '{}'::text[]), postback_digest = p_digest, subject_hash = p_subject_hash
        where id = r.id;
        perform public.ids_flow_log(p_customer, r.id, 'POSTBACK_USER', r.status, 'AUTHENTICATED', p_now, null);

        perform public.ids_profile_record(p_customer, p_username, p_record, p_is_minor, p_restricted_records, p_now, p_subject_hash, p_actor_kind, p_actor_id);
        if p_is_minor then
          -- From the moment we learn the user is a child, no earlier request keeps their values either.
          update public.auth_request set supplied = '{}'::jsonb, blob = null
           where customer_id = p_customer and username = p_username and (supplied <> '{}'::jsonb or blob is not null);
        end if;
        return query select 'accepted', r.id;
      end $$;`);

    // --- step 8: completing a request (shared by the return and the consent form) -------------------
    this.addSql(`
      create function ids_flow_complete(r public.auth_request, p_now timestamptz, p_outcome text, p_granted text[], p_reason text,
                                        p_consent text, p_is_remembered boolean, p_actor_kind text, p_actor_id text,
                                        p_code_id uuid, p_code_hash text, p_code_expires_at timestamptz)
      returns public.ids_flow_answer language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        a public.ids_flow_answer;
        decision_id uuid;
      begin
        a.step := 'answer';
        a.auth_request_id := r.id;
        a.openid_request := r.openid_request;
        a.username := r.username;
        a.realm := r.realm;
        a.auth_time := r.auth_time;
        a.auth_policies := r.auth_policies;
        a.outcome := p_outcome;
        a.granted := p_granted;
        -- A user other than the one the RP asked about gets a cancel.
        if p_outcome = 'id_res' and r.openid_request ->> 'usernameHint' is not null and r.openid_request ->> 'usernameHint' is distinct from r.username then
          a.outcome := 'cancel';
          p_reason := 'the AW logged in another user than the RP asked about';
        end if;
        -- The postback kept only what the disclosure rule lets the assertion carry (children, no-PII);
        -- a restriction since then, read under a lock held to the commit, withholds everything.
        a.is_restricted := false;
        if a.outcome = 'id_res' then
          select p.restricted_at is not null into a.is_restricted from public.profile p where p.customer_id = r.customer_id and p.username = r.username for update;
          a.is_restricted := coalesce(a.is_restricted, false);
        end if;
        a.supplied := case when a.is_restricted then '{}'::jsonb else coalesce(r.supplied, '{}'::jsonb) end;
        a.blob := case when a.is_restricted then null else r.blob end;
        a.released := case when a.outcome = 'id_res' and not r.is_no_pii_requested
          then array(select f from unnest(r.requested_fields) with ordinality as t(f, n) where f = any(p_granted) and coalesce(a.supplied ->> f, '') <> '' order by n)
          else '{}'::text[] end;
        update public.auth_request set status = 'COMPLETED', updated_at = p_now, outcome = a.outcome, released_fields = a.released,
               failure_reason = coalesce(p_reason, failure_reason)
         where id = r.id;
        perform public.ids_flow_log(r.customer_id, r.id, 'COMPLETE', r.status, 'COMPLETED', p_now, p_reason);
        if p_consent is not null then
          decision_id := gen_random_uuid();
          insert into public.consent_decision (id, customer_id, username, realm, decision, granted_fields, is_remembered, auth_request_id, decided_at, revoked_at)
          values (decision_id, r.customer_id, r.username, r.realm, p_consent, case when p_consent = 'ALLOW' then p_granted else '{}'::text[] end,
                  p_is_remembered, r.id, p_now, null);
          perform public.ids_audit_add(r.customer_id, p_now, p_actor_kind, p_actor_id, case when p_consent = 'ALLOW' then 'consent.granted' else 'consent.denied' end,
            'consent_decision', decision_id::text, r.subject_hash, null,
            jsonb_build_object('realm', r.realm, 'grantedFields', to_jsonb(case when p_consent = 'ALLOW' then p_granted else '{}'::text[] end),
                               'isRemembered', p_is_remembered, 'authRequestId', r.id), r.username);
        end if;
        -- A login's outcome: the RP was answered with an assertion, a cancel by the user, or a cancel for a reason.
        perform public.ids_audit_add(r.customer_id, p_now, p_actor_kind, p_actor_id,
          case when a.outcome = 'id_res' then 'login.succeeded' when p_reason is not null then 'login.failed' else 'login.cancelled' end,
          'auth_request', r.id::text, r.subject_hash, null,
          jsonb_build_object('realm', r.realm, 'releasedFields', to_jsonb(a.released)) || case when p_reason is not null then jsonb_build_object('reason', p_reason) else '{}'::jsonb end, r.username);
        a.is_code_issued := false;
        if a.outcome = 'id_res' and p_code_hash is not null then
          -- Stored with the transition: a code exists exactly when the RP is told about it, and only when a client could exchange it.
          insert into public.oauth_login_code (id, code_hash, customer_id, username, fields, issued_at, expires_at)
          select p_code_id, p_code_hash, r.customer_id, r.username, a.released, p_now, p_code_expires_at
           where exists (select 1 from public.oauth_client c where c.customer_id = r.customer_id and c.disabled_at is null);
          a.is_code_issued := found;
        end if;
        return a;
      end $$;`);

    // The request the browser names, after the binding and expiry checks every browser step makes.
    this.addSql(`
      create function ids_flow_expire(r public.auth_request, p_now timestamptz, p_reason text)
      returns public.ids_flow_answer language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        a public.ids_flow_answer;
      begin
        update public.auth_request set status = 'EXPIRED', updated_at = p_now, failure_reason = p_reason where id = r.id;
        perform public.ids_flow_log(r.customer_id, r.id, 'EXPIRE', r.status, 'EXPIRED', p_now, null);
        a.step := 'expired';
        a.auth_request_id := r.id;
        return a;
      end $$;`);

    this.addSql(`
      create function ids_flow_consent_view(r public.auth_request, p_status text)
      returns public.ids_flow_answer language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        a public.ids_flow_answer;
      begin
        a.step := 'consent';
        a.auth_request_id := r.id;
        a.status := p_status;
        a.openid_request := r.openid_request;
        a.username := r.username;
        a.realm := r.realm;
        a.requested_fields := r.requested_fields;
        a.required_fields := r.required_fields;
        a.is_minor := r.is_minor;
        -- A person restricted after the postback is offered no attributes.
        a.is_restricted := exists (select 1 from public.profile p where p.customer_id = r.customer_id and p.username = r.username and p.restricted_at is not null);
        a.supplied := case when a.is_restricted then '{}'::jsonb else coalesce(r.supplied, '{}'::jsonb) end;
        return a;
      end $$;`);

    // --- step 6: the browser is back from the AW ----------------------------------------------------
    this.addSql(`
      create function ids_flow_return(p_customer uuid, p_request_hash text, p_cookie_id uuid, p_is_binding_valid boolean, p_now timestamptz,
                                      p_all_fields text[], p_actor_kind text, p_actor_id text,
                                      p_code_id uuid, p_code_hash text, p_code_expires_at timestamptz)
      returns setof ids_flow_answer language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        r public.auth_request;
        a public.ids_flow_answer;
        remembered text[];
        who text;
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        -- Locks in one order everywhere, the person's profile before requests: a child's postback locks
        -- the profile and then every request of that user, so a completion must not hold a request
        -- while it waits for the profile. The username is read first, without a lock (it is set once).
        if p_request_hash is not null then
          select x.username into who from public.auth_request x where x.request_id_hash = p_request_hash and x.customer_id = p_customer;
        else
          select x.username into who from public.auth_request x where x.id = p_cookie_id and x.customer_id = p_customer;
        end if;
        if who is not null then perform 1 from public.profile p where p.customer_id = p_customer and p.username = who for update; end if;
        if p_request_hash is not null then
          select * into r from public.auth_request x where x.request_id_hash = p_request_hash and x.customer_id = p_customer for update;
        else
          select * into r from public.auth_request x where x.id = p_cookie_id and x.customer_id = p_customer for update;
        end if;
        if not found then a.step := 'unknown'; return next a; return; end if;
        if p_request_hash is null then
          -- Named by the cookie alone: the caller checks the cookie against the request_id hash, then asks again with it.
          a.step := 'check_binding'; a.auth_request_id := r.id; a.request_id_hash := r.request_id_hash; return next a; return;
        end if;
        if not p_is_binding_valid or r.id is distinct from p_cookie_id then a.step := 'foreign'; return next a; return; end if;
        if r.status = 'EXPIRED' then a.step := 'expired'; return next a; return; end if;
        if p_now >= r.expires_at and r.status <> 'COMPLETED' then return next public.ids_flow_expire(r, p_now, 'expired before the browser returned'); return; end if;
        case r.status
          when 'AWAITING_AW' then
            return next public.ids_flow_complete(r, p_now, 'cancel', '{}', 'the browser returned before any postback', null, false, p_actor_kind, p_actor_id, null, null, null);
          when 'CANCELLED' then
            return next public.ids_flow_complete(r, p_now, 'cancel', '{}', 'the AW reported a cancel', null, false, p_actor_kind, p_actor_id, null, null, null);
          when 'AUTHENTICATED' then
            if r.no_prompt then
              return next public.ids_flow_complete(r, p_now, 'id_res', p_all_fields, null, null, false, p_actor_kind, p_actor_id, p_code_id, p_code_hash, p_code_expires_at);
              return;
            end if;
            select d.granted_fields into remembered from public.consent_decision d
             where d.customer_id = p_customer and d.username = r.username and d.realm = r.realm
               and d.decision = 'ALLOW' and d.is_remembered and d.revoked_at is null
             order by d.decided_at desc limit 1;
            if found then
              return next public.ids_flow_complete(r, p_now, 'id_res', remembered, null, null, false, p_actor_kind, p_actor_id, p_code_id, p_code_hash, p_code_expires_at);
              return;
            end if;
            update public.auth_request set status = 'CONSENT_PENDING', updated_at = p_now where id = r.id;
            perform public.ids_flow_log(p_customer, r.id, 'SHOW_CONSENT', r.status, 'CONSENT_PENDING', p_now, null);
            return next public.ids_flow_consent_view(r, 'CONSENT_PENDING');
          when 'CONSENT_PENDING' then
            return next public.ids_flow_consent_view(r, r.status);
          else
            a.step := 'finished'; return next a;
        end case;
      end $$;`);

    // --- step 7: the user's answer on the consent page ----------------------------------------------
    this.addSql(`
      create function ids_flow_consent(p_customer uuid, p_cookie_id uuid, p_is_csrf_valid boolean, p_decision text, p_share text[], p_remember boolean,
                                       p_now timestamptz, p_actor_kind text, p_actor_id text,
                                       p_code_id uuid, p_code_hash text, p_code_expires_at timestamptz)
      returns setof ids_flow_answer language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        r public.auth_request;
        a public.ids_flow_answer;
        granted text[];
        who text;
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        -- The person's profile before the request, as in ids_flow_return.
        select x.username into who from public.auth_request x where x.id = p_cookie_id and x.customer_id = p_customer;
        if who is not null and p_is_csrf_valid then perform 1 from public.profile p where p.customer_id = p_customer and p.username = who for update; end if;
        select * into r from public.auth_request x where x.id = p_cookie_id and x.customer_id = p_customer for update;
        if not found then a.step := 'unknown'; return next a; return; end if;
        if not p_is_csrf_valid then
          -- Refused, writing nothing: the caller tells a foreign browser from a stale form with what it needs.
          a.step := 'refused'; a.auth_request_id := r.id; a.request_id_hash := r.request_id_hash; a.status := r.status; a.expires_at := r.expires_at;
          return next a; return;
        end if;
        -- A valid CSRF token was issued only with a consent page, after this same cookie passed the binding check.
        if r.status = 'EXPIRED' then a.step := 'expired'; return next a; return; end if;
        if p_now >= r.expires_at and r.status <> 'COMPLETED' then return next public.ids_flow_expire(r, p_now, 'expired before the browser returned'); return; end if;
        if r.status <> 'CONSENT_PENDING' then a.step := 'answered'; return next a; return; end if;
        if p_decision is null then a.step := 'invalid_decision'; return next a; return; end if;
        granted := case when p_decision = 'ALLOW' then array(select f from unnest(r.requested_fields) with ordinality as t(f, n) where f = any(p_share) order by n) else '{}'::text[] end;
        return next public.ids_flow_complete(r, p_now, case when p_decision = 'ALLOW' then 'id_res' else 'cancel' end, granted,
          case when p_decision = 'ALLOW' then null else 'the user declined on the consent page' end,
          p_decision, p_decision = 'ALLOW' and p_remember, p_actor_kind, p_actor_id,
          case when p_decision = 'ALLOW' then p_code_id end, case when p_decision = 'ALLOW' then p_code_hash end, p_code_expires_at);
      end $$;`);

    // An expiry found on a refused consent form (the rare path): one statement of its own.
    this.addSql(`
      create function ids_flow_expire_request(p_customer uuid, p_id uuid, p_now timestamptz, p_reason text)
      returns void language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        r public.auth_request;
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        select * into r from public.auth_request x where x.id = p_id and x.customer_id = p_customer for update;
        if found and r.status not in ('COMPLETED', 'EXPIRED') then perform public.ids_flow_expire(r, p_now, p_reason); end if;
      end $$;`);

    // --- the OP endpoint's association and nonce stores, one statement each -------------------------
    this.addSql(`
      create function ids_association_find(p_customer uuid, p_handle text, p_is_private boolean)
      returns table (handle text, assoc_type text, secret bytea, is_private boolean, issued_at timestamptz, expires_at timestamptz)
      language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        return query select a.handle::text, a.assoc_type::text, a.secret, a.is_private, a.issued_at, a.expires_at from public.openid_association a
          where a.customer_id = p_customer and a.handle = p_handle and a.is_private = p_is_private;
      end $$;`);
    this.addSql(`
      create function ids_association_save(p_customer uuid, p_handle text, p_assoc_type text, p_secret bytea, p_is_private boolean,
                                           p_issued_at timestamptz, p_expires_at timestamptz, p_source_hash text)
      returns void language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        insert into public.openid_association (customer_id, handle, assoc_type, secret, is_private, issued_at, expires_at, source_hash)
        values (p_customer, p_handle, p_assoc_type, p_secret, p_is_private, p_issued_at, p_expires_at, p_source_hash);
      end $$;`);
    // associate: the cap of live shared associations per source, checked before the DH exchange
    // and again, exactly, under a lock on (customer, source) when the association is stored.
    this.addSql(`
      create function ids_association_live_count(p_customer uuid, p_source_hash text, p_now timestamptz)
      returns integer language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        return (select count(*)::int from public.openid_association a
                 where a.customer_id = p_customer and a.source_hash = p_source_hash and a.is_private = false and a.expires_at > p_now);
      end $$;`);
    this.addSql(`
      create function ids_association_save_shared(p_customer uuid, p_handle text, p_assoc_type text, p_secret bytea,
                                                  p_issued_at timestamptz, p_expires_at timestamptz, p_source_hash text, p_max integer)
      returns boolean language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        -- Concurrent associates from one source count and insert one after another, so the cap holds exactly.
        perform pg_advisory_xact_lock(hashtextextended('openid_association:' || p_customer::text || ':' || p_source_hash, 0));
        if (select count(*) from public.openid_association a
             where a.customer_id = p_customer and a.source_hash = p_source_hash and a.is_private = false and a.expires_at > p_issued_at) >= p_max then
          return false;
        end if;
        insert into public.openid_association (customer_id, handle, assoc_type, secret, is_private, issued_at, expires_at, source_hash)
        values (p_customer, p_handle, p_assoc_type, p_secret, false, p_issued_at, p_expires_at, p_source_hash);
        return true;
      end $$;`);
    this.addSql(`
      create function ids_association_delete(p_customer uuid, p_handle text)
      returns boolean language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        delete from public.openid_association a where a.customer_id = p_customer and a.handle = p_handle;
        return found;
      end $$;`);
    this.addSql(`
      create function ids_nonce_mark_used(p_customer uuid, p_nonce text, p_expires_at timestamptz)
      returns boolean language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        insert into public.openid_nonce (customer_id, nonce, expires_at) values (p_customer, p_nonce, p_expires_at) on conflict (customer_id, nonce) do nothing;
        return found;
      end $$;`);

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
