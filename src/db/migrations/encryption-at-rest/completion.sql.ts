import { AddSql } from '../login-steps/add-sql';

/** `ids_flow_complete` as this migration defines it (the OpenIdConnect migration's `down` restores it). */
export const SEALED_COMPLETE = `
      create or replace function ids_flow_complete(r public.auth_request, p_now timestamptz, p_outcome text, p_granted text[], p_reason text,
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
        a.person_key_id := r.person_key_id;
        a.request_id_hash := r.request_id_hash;
        a.realm := r.realm;
        a.auth_time := r.auth_time;
        a.auth_policies := r.auth_policies;
        a.outcome := p_outcome;
        a.granted := p_granted;
        -- A user other than the one the RP asked about gets a cancel.
        -- (A request stored before encryption holds its hint in clear, which can no longer be compared: it gets the cancel too.)
        if p_outcome = 'id_res' and (r.openid_request ->> 'usernameHint' is not null
            or (r.openid_request ->> 'usernameHintHash' is not null and r.openid_request ->> 'usernameHintHash' is distinct from r.username_hash)) then
          a.outcome := 'cancel';
          p_reason := 'the AW logged in another user than the RP asked about';
        end if;
        -- The postback kept only what the disclosure rule lets the assertion carry (children, no-PII);
        -- a restriction since then, read under the caller's lock on the profile (held to the commit), withholds everything.
        a.is_restricted := false;
        if a.outcome = 'id_res' then
          select p.restricted_at is not null into a.is_restricted from public.profile p where p.customer_id = r.customer_id and p.username_hash = r.username_hash;
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
          insert into public.consent_decision (id, customer_id, username, username_hash, person_key_id, realm, decision, granted_fields, is_remembered, auth_request_id, decided_at, revoked_at)
          values (decision_id, r.customer_id, r.username, r.username_hash, r.person_key_id, r.realm, p_consent, case when p_consent = 'ALLOW' then p_granted else '{}'::text[] end,
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
          insert into public.oauth_login_code (id, code_hash, customer_id, username, username_hash, person_key_id, fields, issued_at, expires_at)
          select p_code_id, p_code_hash, r.customer_id, r.username, r.username_hash, r.person_key_id, a.released, p_now, p_code_expires_at
           where exists (select 1 from public.oauth_client c where c.customer_id = r.customer_id and c.disabled_at is null);
          a.is_code_issued := found;
        end if;
        return a;
      end $$;`;

/** `ids_flow_return` as this migration defines it (the OpenIdConnect migration's `down` restores it). */
export const SEALED_RETURN = `
      create or replace function ids_flow_return(p_customer uuid, p_request_hash text, p_cookie_id uuid, p_is_binding_valid boolean, p_now timestamptz,
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
          select x.username_hash into who from public.auth_request x where x.request_id_hash = p_request_hash and x.customer_id = p_customer;
        else
          select x.username_hash into who from public.auth_request x where x.id = p_cookie_id and x.customer_id = p_customer;
        end if;
        if who is not null then perform 1 from public.profile p where p.customer_id = p_customer and p.username_hash = who for update; end if;
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
            if not r.no_prompt then
              select d.granted_fields into remembered from public.consent_decision d
               where d.customer_id = p_customer and d.username_hash = r.username_hash and d.realm = r.realm
                 and d.decision = 'ALLOW' and d.is_remembered and d.revoked_at is null
               order by d.decided_at desc limit 1;
              if not found then
                update public.auth_request set status = 'CONSENT_PENDING', updated_at = p_now where id = r.id;
                perform public.ids_flow_log(p_customer, r.id, 'SHOW_CONSENT', r.status, 'CONSENT_PENDING', p_now, null);
                return next public.ids_flow_consent_view(r, 'CONSENT_PENDING');
                return;
              end if;
            end if;
            -- The postback may have named the user between the unlocked read and the request's lock:
            -- lock them now, and only here, where an assertion is made (refusals and the consent page
            -- take no second lock while holding the request).
            if r.username_hash is distinct from who then perform 1 from public.profile p where p.customer_id = p_customer and p.username_hash = r.username_hash for update; end if;
            return next public.ids_flow_complete(r, p_now, 'id_res', case when r.no_prompt then p_all_fields else remembered end, null, null, false, p_actor_kind, p_actor_id, p_code_id, p_code_hash, p_code_expires_at);
          when 'CONSENT_PENDING' then
            return next public.ids_flow_consent_view(r, r.status);
          else
            a.step := 'finished'; return next a;
        end case;
      end $$;`;

/**
 * The browser steps with sealed values (issue 17): people are matched by their username's keyed hash,
 * the sealed username is copied as it is (it is bound to the person, not to a row), and answers name
 * the person's key so the caller can open the values.
 */
export const sealedCompletion = {
  up(addSql: AddSql): void {
    // The key the answer's sealed values (username, supplied, blob) are under.
    addSql(`alter type ids_flow_answer add attribute person_key_id uuid;`);
    // Completing a request reads the restriction under the lock its caller (the return, the consent form) took on the profile.
    addSql(SEALED_COMPLETE);

    addSql(SEALED_RETURN);

    addSql(`
      create or replace function ids_flow_consent(p_customer uuid, p_cookie_id uuid, p_is_csrf_valid boolean, p_decision text, p_share text[], p_remember boolean,
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
        select x.username_hash into who from public.auth_request x where x.id = p_cookie_id and x.customer_id = p_customer;
        if who is not null and p_is_csrf_valid then perform 1 from public.profile p where p.customer_id = p_customer and p.username_hash = who for update; end if;
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
        -- The postback may have named the user between the unlocked read and the request's lock: lock
        -- them now, and only for an assertion (a refusal or a deny takes no second lock while holding the request).
        if p_decision = 'ALLOW' then
          if r.username_hash is distinct from who then perform 1 from public.profile p where p.customer_id = p_customer and p.username_hash = r.username_hash for update; end if;
        end if;
        granted := case when p_decision = 'ALLOW' then array(select f from unnest(r.requested_fields) with ordinality as t(f, n) where f = any(p_share) order by n) else '{}'::text[] end;
        return next public.ids_flow_complete(r, p_now, case when p_decision = 'ALLOW' then 'id_res' else 'cancel' end, granted,
          case when p_decision = 'ALLOW' then null else 'the user declined on the consent page' end,
          p_decision, p_decision = 'ALLOW' and p_remember, p_actor_kind, p_actor_id,
          case when p_decision = 'ALLOW' then p_code_id end, case when p_decision = 'ALLOW' then p_code_hash end, p_code_expires_at);
      end $$;`);
    addSql(`
      create or replace function ids_flow_consent_view(r public.auth_request, p_status text)
      returns public.ids_flow_answer language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        a public.ids_flow_answer;
      begin
        a.step := 'consent';
        a.auth_request_id := r.id;
        a.status := p_status;
        a.openid_request := r.openid_request;
        a.username := r.username;
        a.person_key_id := r.person_key_id;
        a.request_id_hash := r.request_id_hash;
        a.realm := r.realm;
        a.requested_fields := r.requested_fields;
        a.required_fields := r.required_fields;
        a.is_minor := r.is_minor;
        -- A person restricted after the postback is offered no attributes.
        a.is_restricted := exists (select 1 from public.profile p where p.customer_id = r.customer_id and p.username_hash = r.username_hash and p.restricted_at is not null);
        a.supplied := case when a.is_restricted then '{}'::jsonb else coalesce(r.supplied, '{}'::jsonb) end;
        return a;
      end $$;`);
  },
};
