import { AddSql } from '../login-steps/add-sql';
import { SEALED_COMPLETE, SEALED_RETURN } from '../encryption-at-rest/completion.sql';

/**
 * The completion step of issue 19: an OpenID Connect request (`mode = 'oidc'`) that ends in an
 * assertion stores its authorization code in the same statement, as an OpenID 2.0 request stores
 * its login code; login codes are issued only when a service (not an OIDC) client could use them.
 * Everything else is the sealed completion of issue 17, unchanged.
 */
const OIDC_COMPLETE = `
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
          if r.mode = 'oidc' then
            -- An OpenID Connect sign-in always ends with its authorization code, for the client that asked (still enabled),
            -- with what it asked (redirect URI, PKCE challenge, nonce, scopes) copied from the stored request.
            insert into public.oidc_code (id, code_hash, customer_id, client_id, auth_request_id, username, username_hash, person_key_id, fields, request,
                                          auth_time, auth_policies, issued_at, expires_at)
            select p_code_id, p_code_hash, r.customer_id, c.id, r.id, r.username, r.username_hash, r.person_key_id, a.released, r.openid_request -> 'oidc',
                   r.auth_time, r.auth_policies, p_now, p_code_expires_at
              from public.oauth_client c
             where c.customer_id = r.customer_id and c.id = (r.openid_request -> 'oidc' ->> 'clientRowId')::uuid and c.kind = 'OIDC' and c.disabled_at is null;
          else
            -- Stored with the transition: a code exists exactly when the RP is told about it, and only when a service client could exchange it.
            insert into public.oauth_login_code (id, code_hash, customer_id, username, username_hash, person_key_id, fields, issued_at, expires_at)
            select p_code_id, p_code_hash, r.customer_id, r.username, r.username_hash, r.person_key_id, a.released, p_now, p_code_expires_at
             where exists (select 1 from public.oauth_client c where c.customer_id = r.customer_id and c.kind = 'SERVICE' and c.disabled_at is null);
          end if;
          a.is_code_issued := found;
        end if;
        return a;
      end $$;`;

/** The browser's return, as issue 17 left it, but an OpenID Connect request with prompt=consent always gets the consent page. */
export const OIDC_RETURN = `
      create or replace function ids_flow_return(p_customer uuid, p_request_hash text, p_cookie_id uuid, p_is_binding_valid boolean, p_now timestamptz,
                                      p_all_fields text[], p_actor_kind text, p_actor_id text,
                                      p_code_id uuid, p_code_hash text, p_code_expires_at timestamptz)
      returns setof ids_flow_answer language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        r public.auth_request;
        a public.ids_flow_answer;
        remembered text[];
        who text;
        force_consent boolean;
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
            -- An OpenID Connect client's prompt=consent asks for the page whatever was remembered or the AW said (Core §3.1.2.1).
            force_consent := coalesce((r.openid_request -> 'oidc' -> 'prompt') ? 'consent', false);
            if force_consent or not r.no_prompt then
              select d.granted_fields into remembered from public.consent_decision d
               where d.customer_id = p_customer and d.username_hash = r.username_hash and d.realm = r.realm
                 and d.decision = 'ALLOW' and d.is_remembered and d.revoked_at is null and not force_consent
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
            return next public.ids_flow_complete(r, p_now, 'id_res', case when r.no_prompt and not force_consent then p_all_fields else remembered end, null, null, false, p_actor_kind, p_actor_id, p_code_id, p_code_hash, p_code_expires_at);
          when 'CONSENT_PENDING' then
            return next public.ids_flow_consent_view(r, r.status);
          else
            a.step := 'finished'; return next a;
        end case;
      end $$;`;

export const oidcCompletion = {
  up(addSql: AddSql): void {
    addSql(OIDC_COMPLETE);
    addSql(OIDC_RETURN);
  },
  down(addSql: AddSql): void {
    addSql(SEALED_COMPLETE);
    addSql(SEALED_RETURN);
  },
};
