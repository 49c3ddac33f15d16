import { AddSql } from './add-sql';

/**
 * Step 6: the browser is back from the AW. Moved verbatim from the LoginSteps migration: the SQL it applies is unchanged.
 */
export const browserReturn = {
  up(addSql: AddSql): void {
    // --- step 6: the browser is back from the AW ----------------------------------------------------
    addSql(`
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
  },
};
