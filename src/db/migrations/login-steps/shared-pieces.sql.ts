import { AddSql } from './add-sql';

/**
 * Small pieces the steps share: the timeline row, the audit outbox event, the answer type. Moved verbatim from the LoginSteps migration: the SQL it applies is unchanged.
 */
export const sharedPieces = {
  up(addSql: AddSql): void {
    // --- small pieces the steps share ------------------------------------------------------------
    addSql(`
      create function ids_flow_log(p_customer uuid, p_request uuid, p_event text, p_from text, p_to text, p_at timestamptz, p_reason text)
      returns void language sql set search_path = pg_catalog, pg_temp as $$
        insert into public.auth_request_transition (id, auth_request_id, customer_id, event, from_status, to_status, at, reason)
        values (gen_random_uuid(), p_request, p_customer, p_event, p_from, p_to, p_at, p_reason)
      $$;`);
    addSql(`
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
    addSql(`
      create type ids_flow_answer as (
        step text, auth_request_id uuid, request_id_hash text, status text, expires_at timestamptz,
        openid_request jsonb, username text, realm text, requested_fields text[], required_fields text[], is_minor boolean,
        supplied jsonb, blob text, auth_time timestamptz, auth_policies text[],
        outcome text, granted text[], released text[], is_code_issued boolean, is_restricted boolean
      );`);
  },
};
