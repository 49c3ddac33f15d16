import { AddSql } from './add-sql';

/**
 * Step 2: checkid, up to the hand-off to the Verify URL. Moved verbatim from the LoginSteps migration: the SQL it applies is unchanged.
 */
export const checkid = {
  up(addSql: AddSql): void {
    // --- step 2: checkid → Verify URL --------------------------------------------------------------
    addSql(`
      create function ids_flow_begin(p_customer uuid, p_id uuid, p_request_hash text, p_mode text, p_realm text, p_return_to text,
                                     p_verification text, p_verification_reason text, p_verification_at timestamptz, p_verification_log text,
                                     p_openid_request jsonb, p_requested text[], p_required text[], p_is_no_pii boolean, p_now timestamptz, p_expires_at timestamptz)
      returns boolean language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        if not exists (select 1 from public.customer where id = p_customer) then return false; end if;
        insert into public.auth_request (id, customer_id, request_id_hash, status, mode, realm, return_to, return_to_verification, return_to_verification_reason,
                                         openid_request, requested_fields, required_fields, is_no_pii_requested, is_minor, supplied, released_fields, created_at, updated_at, expires_at)
        values (p_id, p_customer, p_request_hash, 'AWAITING_AW', p_mode, p_realm, p_return_to, p_verification, p_verification_reason,
                p_openid_request, p_requested, p_required, p_is_no_pii, false, null, '{}', p_now, p_now, p_expires_at);
        perform public.ids_flow_log(p_customer, p_id, 'VERIFY_RETURN_TO', null, 'AWAITING_AW', p_verification_at, p_verification_log);
        perform public.ids_flow_log(p_customer, p_id, 'HANDOFF', null, 'AWAITING_AW', p_now, null);
        return true;
      end $$;`);
  },
};
