import { AddSql } from './add-sql';

/**
 * Step 7: the user's answer on the consent page. Moved verbatim from the LoginSteps migration: the SQL it applies is unchanged.
 */
export const consent = {
  up(addSql: AddSql): void {
    // --- step 7: the user's answer on the consent page ----------------------------------------------
    addSql(`
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
    addSql(`
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
  },
};
