import { AddSql } from '../login-steps/add-sql';
import { OIDC_RETURN } from '../openid-connect/completion.sql';

/**
 * A privacy center sign-in (issue 22, `mode = 'account'`): the browser's return completes it without
 * consent, login code or OIDC code, releasing nothing, and names the person's profile in the answer
 * (`profile_id`), in the same one statement. Audited as `account.signed_in` by the person themselves
 * (DATA_SUBJECT, the customer's slug as the actor id). A cancel, an early return or an expiry end it
 * as any sign-in (login.cancelled, login.failed); so does, unlike any other sign-in, a return by a
 * browser whose binding cookie does not match (refused as foreign all the same). Everything else is ids_flow_return of issue 19,
 * unchanged (openid-connect/completion.sql.ts).
 */
const ACCOUNT_SIGNED_IN = `
      create function ids_flow_account_signed_in(r public.auth_request, p_now timestamptz, p_actor_id text)
      returns public.ids_flow_answer language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        a public.ids_flow_answer;
        pid uuid;
      begin
        -- Read under the caller's lock on the profile (held to the commit).
        select p.id into pid from public.profile p where p.customer_id = r.customer_id and p.username_hash = r.username_hash;
        if pid is null then
          -- Erased between the postback and the return: nobody to sign in.
          return public.ids_flow_complete(r, p_now, 'cancel', '{}', 'the person''s profile no longer exists', null, false, 'DATA_SUBJECT', p_actor_id, null, null, null);
        end if;
        a.step := 'answer';
        a.auth_request_id := r.id;
        a.openid_request := r.openid_request;
        a.username := r.username;
        a.person_key_id := r.person_key_id;
        a.request_id_hash := r.request_id_hash;
        a.realm := r.realm;
        a.auth_time := r.auth_time;
        a.auth_policies := r.auth_policies;
        a.outcome := 'id_res';
        a.granted := '{}'::text[];
        a.released := '{}'::text[];
        a.supplied := '{}'::jsonb;
        a.is_code_issued := false;
        a.is_restricted := false;
        a.profile_id := pid;
        update public.auth_request set status = 'COMPLETED', updated_at = p_now, outcome = 'id_res', released_fields = '{}'::text[] where id = r.id;
        perform public.ids_flow_log(r.customer_id, r.id, 'COMPLETE', r.status, 'COMPLETED', p_now, null);
        perform public.ids_audit_add(r.customer_id, p_now, 'DATA_SUBJECT', p_actor_id, 'account.signed_in', 'auth_request', r.id::text, r.subject_hash, null,
          jsonb_build_object('realm', r.realm, 'profileId', pid), r.username);
        return a;
      end $$;`;

/** ids_flow_return of issue 19 with the account branch in its AUTHENTICATED case. */
const ACCOUNT_RETURN = `
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
        if not p_is_binding_valid or r.id is distinct from p_cookie_id then
          -- A privacy center sign-in back in a browser that did not start it ends here, refused: its
          -- request_id may have been handed to the person by whoever started it, and that browser's
          -- later return must find it finished, or it would get a session for the person who signed in.
          if r.mode = 'account' and r.status in ('AWAITING_AW', 'AUTHENTICATED', 'CANCELLED', 'CONSENT_PENDING') then
            if p_now >= r.expires_at then
              perform public.ids_flow_expire(r, p_now, 'expired before the browser returned');
            else
              perform public.ids_flow_complete(r, p_now, 'cancel', '{}', 'returned in another browser than the one that started the sign-in', null, false,
                                               p_actor_kind, p_actor_id, null, null, null);
            end if;
          end if;
          a.step := 'foreign'; return next a; return;
        end if;
        if r.status = 'EXPIRED' then a.step := 'expired'; return next a; return; end if;
        if p_now >= r.expires_at and r.status <> 'COMPLETED' then return next public.ids_flow_expire(r, p_now, 'expired before the browser returned'); return; end if;
        case r.status
          when 'AWAITING_AW' then
            return next public.ids_flow_complete(r, p_now, 'cancel', '{}', 'the browser returned before any postback', null, false, p_actor_kind, p_actor_id, null, null, null);
          when 'CANCELLED' then
            return next public.ids_flow_complete(r, p_now, 'cancel', '{}', 'the AW reported a cancel', null, false, p_actor_kind, p_actor_id, null, null, null);
          when 'AUTHENTICATED' then
            -- A privacy center sign-in (issue 22) ends here, whatever the AW said of prompting: no consent
            -- page, no assertion, no code; the person's profile is named for the account session.
            if r.mode = 'account' then
              if r.username_hash is distinct from who then perform 1 from public.profile p where p.customer_id = p_customer and p.username_hash = r.username_hash for update; end if;
              return next public.ids_flow_account_signed_in(r, p_now, p_actor_id);
              return;
            end if;
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

export const accountSignIn = {
  up(addSql: AddSql): void {
    addSql(`alter type ids_flow_answer add attribute profile_id uuid;`);
    addSql(ACCOUNT_SIGNED_IN);
    addSql(ACCOUNT_RETURN);
  },
  down(addSql: AddSql): void {
    addSql(OIDC_RETURN);
    addSql(`drop function if exists ids_flow_account_signed_in(public.auth_request, timestamptz, text);`);
    addSql(`alter type ids_flow_answer drop attribute if exists profile_id;`);
  },
};
