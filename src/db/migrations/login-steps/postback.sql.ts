import { AddSql } from './add-sql';

/**
 * Steps 4-5: the AW's postback. Moved verbatim from the LoginSteps migration: the SQL it applies is unchanged.
 */
export const postback = {
  up(addSql: AddSql): void {
    // --- steps 4-5: the AW's postback --------------------------------------------------------------
    addSql(`
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
        -- docs/protocol.md#postback's order: the key before anything about the request is revealed.
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
  },
};
