import { AddSql, SREG, DRAIN_LOCK } from '../login-steps/add-sql';

/**
 * The postback locks the person's profile once: `ids_profile_apply` records the profile on the row the
 * postback locked, and `ids_profile_record` (ProfileService.recordFromPostback) is its lock plus the same call.
 */
export const postbackLockedOnce = {
  up(addSql: AddSql): void {
    const sregFromRecord = SREG.map((f) => `p_record->>'${f}'`).join(', ');
    const sregUpdate = SREG.map((f) => `"${f}" = case when '${f}' = any(changed) then p_record->>'${f}' else "${f}" end`).join(', ');
    addSql(`
      create function ids_profile_apply(prof public.profile, p_customer uuid, p_username text, p_record jsonb, p_is_minor boolean, p_restricted_records boolean,
                                        p_now timestamptz, p_subject_hash text, p_actor_kind text, p_actor_id text)
      returns void language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        is_restricted boolean;
        new_id uuid;
        held text[];
        changed text[];
      begin
        -- prof is the person's profile as the caller read it under its lock (all null when there is none yet).
        is_restricted := prof.id is not null and prof.restricted_at is not null;
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

    // The statement ProfileService.recordFromPostback runs: the one lock, then the same work as a postback.
    addSql(`
      create or replace function ids_profile_record(p_customer uuid, p_username text, p_record jsonb, p_is_minor boolean, p_restricted_records boolean,
                                                    p_now timestamptz, p_subject_hash text, p_actor_kind text, p_actor_id text)
      returns void language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        prof public.profile;
      begin
        select * into prof from public.profile p where p.customer_id = p_customer and p.username = p_username for update;
        perform public.ids_profile_apply(prof, p_customer, p_username, p_record, p_is_minor, p_restricted_records, p_now, p_subject_hash, p_actor_kind, p_actor_id);
      end $$;`);

    // The postback hands the profile row it locked to ids_profile_apply, instead of ids_profile_record locking it again.
    addSql(`
      create or replace function ids_flow_postback(
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

        perform public.ids_profile_apply(prof, p_customer, p_username, p_record, p_is_minor, p_restricted_records, p_now, p_subject_hash, p_actor_kind, p_actor_id);
        if p_is_minor then
          -- From the moment we learn the user is a child, no earlier request keeps their values either.
          update public.auth_request set supplied = '{}'::jsonb, blob = null
           where customer_id = p_customer and username = p_username and (supplied <> '{}'::jsonb or blob is not null);
        end if;
        return query select 'accepted', r.id;
      end $$;`);
  },
};
