import { AddSql, SREG, DRAIN_LOCK } from './add-sql';

/**
 * The profile a postback records (also ProfileService.recordFromPostback). Moved verbatim from the LoginSteps migration: the SQL it applies is unchanged.
 */
export const profileRecord = {
  up(addSql: AddSql): void {
    const sregFromRecord = SREG.map((f) => `p_record->>'${f}'`).join(', ');
    const sregUpdate = SREG.map((f) => `"${f}" = case when '${f}' = any(changed) then p_record->>'${f}' else "${f}" end`).join(', ');
    // --- the profile a postback records (also ProfileService.recordFromPostback) ----------------------
    addSql(`
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
  },
};
