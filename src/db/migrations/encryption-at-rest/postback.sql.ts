import { AddSql, SREG, DRAIN_LOCK } from '../login-steps/add-sql';

/**
 * The postback with sealed values (issue 17): the person's values arrive sealed under their key, with
 * keyed hashes for lookups and keyed digests to tell what changed; the profile is found by the id fixed
 * with the person's key, and a new person's key is stored in the same transaction, after the API key.
 */
export const sealedPostback = {
  up(addSql: AddSql): void {
    const sregFromRecord = SREG.map((f) => `p_record->>'${f}'`).join(', ');
    const sregUpdate = SREG.map((f) => `"${f}" = case when '${f}' = any(changed) then p_record->>'${f}' else "${f}" end`).join(', ');
    addSql(`drop function ids_flow_postback(uuid, text, text, text, timestamptz, boolean, boolean, text, boolean, boolean, jsonb, text, jsonb, jsonb, boolean, timestamptz, text[], text, text, text);`);
    addSql(`drop function ids_profile_record(uuid, text, jsonb, boolean, boolean, timestamptz, text, text, text);`);
    addSql(`drop function ids_profile_apply(public.profile, uuid, text, jsonb, boolean, boolean, timestamptz, text, text, text);`);
    addSql(`
      create function ids_profile_apply(prof public.profile, p_customer uuid, p_person jsonb, p_record jsonb, p_digests jsonb, p_is_minor boolean,
                                        p_restricted_records boolean, p_now timestamptz, p_subject_hash text, p_actor_kind text, p_actor_id text)
      returns void language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        is_restricted boolean;
        new_id uuid;
        held text[];
        changed text[];
        -- Who the values are of (PostbackStep.sealed): their key, their profile's id, the sealed username and the lookup hashes.
        person_key uuid := (p_person ->> 'keyId')::uuid;
        profile_id uuid := (p_person ->> 'profileId')::uuid;
        username_enc text := p_person ->> 'username';
      begin
        -- prof is the person's profile as the caller read it under its lock (all null when there is none yet).
        is_restricted := prof.id is not null and prof.restricted_at is not null;
        -- Created with what the postback may record, or updated where it changed.
        if prof.id is null then
          insert into public.profile (id, customer_id, username, username_hash, email_hash, person_key_id, attribute_digests,
                                      ${SREG.map((f) => `"${f}"`).join(', ')}, created_at, updated_at, last_seen_at)
          values (profile_id, p_customer, username_enc, p_person ->> 'usernameHash', case when p_record ? 'email' then p_person ->> 'emailHash' end,
                  person_key, p_digests, ${sregFromRecord}, p_now, p_now, p_now)
          on conflict do nothing returning id into new_id;
          if new_id is not null then
            perform public.ids_audit_add(p_customer, p_now, p_actor_kind, p_actor_id, 'profile.created', 'profile', new_id::text, p_subject_hash,
              coalesce((select jsonb_object_agg(k, jsonb_build_object('old', null, 'new', v)) from jsonb_each(p_record) as t(k, v)), '{}'::jsonb),
              null, username_enc);
          else
            -- A concurrent postback for the same new user won the insert: update what it created.
            select * into prof from public.profile p where p.id = profile_id and p.customer_id = p_customer for update;
            is_restricted := prof.restricted_at is not null;
          end if;
        end if;
        if prof.id is not null then
          if p_is_minor then
            -- COPPA: a child's profile holds the username only; the values recorded before, and the audit payloads holding them, go.
            held := array(select f from unnest(array[${SREG.map((f) => `'${f}'`).join(', ')}]::text[]) with ordinality as t(f, n)
                           where to_jsonb(prof) ->> f is not null order by n);
            if cardinality(held) > 0 then
              update public.profile set ${SREG.map((f) => `"${f}" = null`).join(', ')}, email_hash = null, attribute_digests = '{}'::jsonb where id = prof.id;
              prof.attribute_digests := '{}'::jsonb;
              prof := jsonb_populate_record(prof, (select jsonb_object_agg(f, 'null'::jsonb) from unnest(held) as t(f)));
              perform pg_advisory_xact_lock(${DRAIN_LOCK});
              update public.audit_outbox set payload = null where customer_id = p_customer and subject_hash = p_subject_hash and payload is not null;
              delete from public.audit_payload where customer_id = p_customer and subject_hash = p_subject_hash;
              perform public.ids_audit_add(p_customer, p_now, p_actor_kind, p_actor_id, 'profile.child_attributes_erased', 'profile', prof.id::text, p_subject_hash,
                null, jsonb_build_object('erasedFields', to_jsonb(held), 'reason', 'under_13'), username_enc);
            end if;
          end if;
          -- Sealed values differ at every write: what changed is told by the keyed digests of the clear values
          -- (a row written before encryption has none, so its first sealed write changes every field given).
          changed := case when is_restricted and not p_restricted_records then '{}'::text[]
                          else array(select k from jsonb_each_text(p_record) as t(k, v) where (prof.attribute_digests ->> k) is distinct from (p_digests ->> k)) end;
          update public.profile set ${sregUpdate},
                 attribute_digests = coalesce(attribute_digests, '{}'::jsonb) || coalesce((select jsonb_object_agg(k, p_digests -> k) from unnest(changed) as t(k)), '{}'::jsonb),
                 email_hash = case when 'email' = any(changed) then p_person ->> 'emailHash' else email_hash end,
                 username = username_enc, username_hash = p_person ->> 'usernameHash', person_key_id = person_key,
                 updated_at = case when cardinality(changed) > 0 then p_now else updated_at end, last_seen_at = p_now
           where id = prof.id;
          if cardinality(changed) > 0 then
            perform public.ids_audit_add(p_customer, p_now, p_actor_kind, p_actor_id, 'profile.updated', 'profile', prof.id::text, p_subject_hash,
              (select jsonb_object_agg(k, jsonb_build_object('old', to_jsonb(prof) -> k, 'new', p_record -> k)) from unnest(changed) as t(k)),
              null, username_enc);
          end if;
        end if;
      end $$;`);

    // The statement ProfileService.recordFromPostback runs: the one lock, then the same work as a postback.
    addSql(`
      create function ids_profile_record(p_customer uuid, p_person jsonb, p_record jsonb, p_digests jsonb, p_is_minor boolean, p_restricted_records boolean,
                                         p_now timestamptz, p_subject_hash text, p_actor_kind text, p_actor_id text)
      returns boolean language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        prof public.profile;
      begin
        -- False when the person's key is gone (erased since the caller read it): nothing is written under it.
        if not keyring.ids_person_key_held(p_customer, (p_person ->> 'keyId')::uuid) then return false; end if;
        select * into prof from public.profile p where p.id = (p_person ->> 'profileId')::uuid and p.customer_id = p_customer for update;
        perform public.ids_profile_apply(prof, p_customer, p_person, p_record, p_digests, p_is_minor, p_restricted_records, p_now, p_subject_hash, p_actor_kind, p_actor_id);
        return true;
      end $$;`);

    // The postback hands the profile row it locked to ids_profile_apply, instead of ids_profile_record locking it again.
    addSql(`
      create function ids_flow_postback(
        p_customer uuid, p_key_hash text, p_request_hash text, p_digest text, p_now timestamptz, p_is_content_invalid boolean,
        p_is_cancel boolean, p_person jsonb, p_no_prompt boolean, p_is_minor boolean,
        p_supplied jsonb, p_blob text, p_keep jsonb,
        p_record jsonb, p_digests jsonb, p_restricted_records boolean,
        p_auth_time timestamptz, p_auth_policies text[], p_subject_hash text, p_actor_kind text, p_actor_id text)
      returns table (outcome text, auth_request_id uuid, person_key_id uuid, profile_id uuid, wrapped bytea)
      language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        r public.auth_request;
        prof public.profile;
        is_restricted boolean;
        keep jsonb;
        k record;
        keyed boolean := false;
        person_key uuid := (p_person ->> 'keyId')::uuid;
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        if not exists (select 1 from public.customer c where c.id = p_customer) then return query select 'unknown_customer', null::uuid, null::uuid, null::uuid, null::bytea; return; end if;
        -- docs/protocol.md#postback's order: the key before anything about the request is revealed.
        if not public.ids_api_key_matches(p_customer, p_key_hash, p_now) then return query select 'invalid_api_key', null::uuid, null::uuid, null::uuid, null::bytea; return; end if;
        -- Locks in one order everywhere: the person's profile, then requests (see ids_flow_return).
        -- Only for a request that can still take this postback (read without a lock here; checked again under it
        -- below): a postback naming no live request stores no key and learns nothing about the person.
        if p_person is not null and not p_is_cancel and not p_is_content_invalid
           and exists (select 1 from public.auth_request a where a.request_id_hash = p_request_hash and a.customer_id = p_customer
                         and a.status = 'AWAITING_AW' and a.expires_at > p_now) then
          keyed := true;
          -- The values come sealed under the person's key. A new key (the caller knew none) is stored now,
          -- after the API key: unless another was stored first, whose key the caller gets to seal again with.
          -- A known key must still be there, and stays until the commit (an erasure deleting it waits).
          if p_person ? 'wrapped' then
            select * into k from keyring.ids_person_key(p_customer, p_person ->> 'usernameHash', p_subject_hash, person_key,
              (p_person ->> 'profileId')::uuid, decode(p_person ->> 'wrapped', 'base64'), p_person ->> 'legacyUsername');
            if k.id is distinct from person_key or k.profile_id is distinct from (p_person ->> 'profileId')::uuid then
              return query select 'stale_key', null::uuid, k.id, k.profile_id, k.wrapped; return;
            end if;
          elsif not keyring.ids_person_key_held(p_customer, person_key) then
            return query select 'stale_key', null::uuid, null::uuid, null::uuid, null::bytea; return;
          end if;
          select * into prof from public.profile p where p.id = (p_person ->> 'profileId')::uuid and p.customer_id = p_customer for update;
          is_restricted := found and prof.restricted_at is not null;
        end if;
        select * into r from public.auth_request a where a.request_id_hash = p_request_hash and a.customer_id = p_customer for update;
        if not found then return query select 'unknown_request', null::uuid, null::uuid, null::uuid, null::bytea; return; end if;
        if r.status <> 'AWAITING_AW' then
          -- A retried postback with the same content: the AW did not see our 200; say it again.
          if r.postback_digest = p_digest then return query select 'repeated', r.id, null::uuid, null::uuid, null::bytea; return; end if;
          return query select case when r.status = 'EXPIRED' then 'expired' else 'already_posted' end, r.id, null::uuid, null::uuid, null::bytea; return;
        end if;
        if p_now >= r.expires_at then
          update public.auth_request set status = 'EXPIRED', updated_at = p_now, failure_reason = 'expired before the postback' where id = r.id;
          perform public.ids_flow_log(p_customer, r.id, 'EXPIRE', r.status, 'EXPIRED', p_now, null);
          return query select 'expired', r.id, null::uuid, null::uuid, null::bytea; return;
        end if;
        if p_is_content_invalid then return query select 'invalid_content', r.id, null::uuid, null::uuid, null::bytea; return; end if;
        if p_is_cancel then
          update public.auth_request set status = 'CANCELLED', updated_at = p_now, postback_digest = p_digest where id = r.id;
          perform public.ids_flow_log(p_customer, r.id, 'POSTBACK_CANCEL', r.status, 'CANCELLED', p_now, 'the AW reported a cancel');
          return query select 'accepted', r.id, null::uuid, null::uuid, null::bytea; return;
        end if;

        -- (The request was taking postbacks when the key was checked, and still is under its lock: so it was checked.)
        if not keyed then return query select 'stale_key', null::uuid, null::uuid, null::uuid, null::bytea; return; end if;
        -- The person's restriction was read under the lock taken above, held to the commit (a restriction set meanwhile waits for us, or we for it).
        is_restricted := coalesce(is_restricted, false);
        -- What the request keeps for the assertion: the disclosure rule's answers, by the facts only the database knows.
        keep := p_keep -> (case when is_restricted then 'restricted' when r.is_no_pii_requested then 'noPii' else 'open' end);
        update public.auth_request set
          status = 'AUTHENTICATED', updated_at = p_now, username = p_person ->> 'username', username_hash = p_person ->> 'usernameHash', person_key_id = person_key,
          no_prompt = p_no_prompt, is_minor = p_is_minor,
          supplied = case when (keep ->> 'attributes')::boolean then p_supplied else '{}'::jsonb end,
          blob = case when (keep ->> 'blob')::boolean then p_blob end,
          auth_time = p_auth_time, auth_policies = coalesce(p_auth_policies, '{}'::text[]), postback_digest = p_digest, subject_hash = p_subject_hash
        where id = r.id;
        perform public.ids_flow_log(p_customer, r.id, 'POSTBACK_USER', r.status, 'AUTHENTICATED', p_now, null);

        perform public.ids_profile_apply(prof, p_customer, p_person, p_record, p_digests, p_is_minor, p_restricted_records, p_now, p_subject_hash, p_actor_kind, p_actor_id);
        if p_is_minor then
          -- From the moment we learn the user is a child, no earlier request keeps their values either.
          update public.auth_request set supplied = '{}'::jsonb, blob = null
           where customer_id = p_customer and username_hash = p_person ->> 'usernameHash' and (supplied <> '{}'::jsonb or blob is not null);
        end if;
        return query select 'accepted', r.id, null::uuid, null::uuid, null::bytea;
      end $$;`);
  },
};
