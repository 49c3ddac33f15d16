import { AddSql } from '../login-steps/add-sql';

/**
 * The OpenID Connect code exchange (issue 19) in two statements, as the login's steps are one each:
 * `ids_oidc_code_find` reads the code (found by any of its hashes) for Node to check; then
 * `ids_oidc_code_claim` claims it with a compare-and-set and writes the tokens and their audit event,
 * or, when a concurrent exchange won, revokes the grant. `ids_oidc_grant_revoke` revokes a grant
 * (a replayed code) on its own. Each enters its customer's scope itself and runs as the caller
 * (`ids_app`), so row-level security applies to every row; each call is one transaction.
 */
export const codeExchange = {
  up(addSql: AddSql): void {
    addSql(`
      create function ids_oidc_code_find(p_customer uuid, p_hashes text[])
      returns table (id uuid, client_id uuid, username text, username_hash text, person_key_id uuid, fields text[], request jsonb,
                     auth_time timestamptz, auth_policies text[], expires_at timestamptz, used_at timestamptz)
      language plpgsql set search_path = pg_catalog, pg_temp as $$
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        return query
          select c.id, c.client_id, c.username, c.username_hash, c.person_key_id, c.fields, c.request, c.auth_time, c.auth_policies, c.expires_at, c.used_at
            from public.oidc_code c
           where c.customer_id = p_customer and c.code_hash = any(p_hashes)
           limit 1;
      end $$;`);
    // As grant-revocation.ts: every live token of the grant, and one audit event naming them when there were any.
    addSql(`
      create function ids_oidc_grant_revoke(p_customer uuid, p_grant uuid, p_now timestamptz, p_actor_kind text, p_actor_id text, p_reason text)
      returns void language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        access_ids text[];
        refresh_ids text[];
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        with t as (update public.oauth_access_token set revoked_at = p_now
                    where customer_id = p_customer and grant_id = p_grant and revoked_at is null returning id)
        select coalesce(array_agg(t.id::text), '{}') into access_ids from t;
        with t as (update public.oauth_refresh_token set revoked_at = p_now
                    where customer_id = p_customer and grant_id = p_grant and revoked_at is null returning id)
        select coalesce(array_agg(t.id::text), '{}') into refresh_ids from t;
        if cardinality(access_ids) = 0 and cardinality(refresh_ids) = 0 then return; end if;
        perform public.ids_audit_add(p_customer, p_now, p_actor_kind, p_actor_id, 'token.grant_revoked', 'oidc_grant', p_grant::text, null, null,
          jsonb_build_object('reason', p_reason, 'accessTokens', to_jsonb(access_ids), 'refreshTokens', to_jsonb(refresh_ids)), null);
      end $$;`);
    // As OAuthTokenService.createToken and TokenIssuer: the access token and its token.issued event, the refresh token when
    // given; profile.* scopes only for a person not restricted now (read here, in the claim's transaction).
    addSql(`
      create function ids_oidc_code_claim(p_customer uuid, p_code uuid, p_now timestamptz, p_actor_kind text, p_actor_id text,
                                          p_client uuid, p_client_id text, p_username text, p_username_hash text, p_subject_hash text, p_person_key_id uuid,
                                          p_scopes text[], p_field_scopes text[],
                                          p_access_id uuid, p_access_hash text, p_access_subject text, p_access_expires_at timestamptz, p_access_expires_iso text,
                                          p_refresh_id uuid, p_refresh_hash text, p_refresh_subject text, p_refresh_scopes text[], p_refresh_expires_at timestamptz,
                                          p_auth_time timestamptz, p_acr text)
      returns table (outcome text, scopes text[])
      language plpgsql set search_path = pg_catalog, pg_temp as $$
      declare
        restricted boolean;
        access_scopes text[];
      begin
        perform set_config('app.platform', '', true);
        perform set_config('app.customer_id', p_customer::text, true);
        -- Of two concurrent exchanges one wins; the loser, having waited on the row lock, sees used_at set
        -- and revokes what the winner issued (a race for a code is a replay).
        update public.oidc_code set used_at = p_now where id = p_code and customer_id = p_customer and used_at is null;
        if not found then
          perform public.ids_oidc_grant_revoke(p_customer, p_code, p_now, p_actor_kind, p_actor_id, 'authorization code replayed');
          return query select 'replayed'::text, null::text[];
          return;
        end if;
        select p.restricted_at is not null into restricted from public.profile p where p.customer_id = p_customer and p.username_hash = p_username_hash;
        access_scopes := p_scopes || array['profiles:read'] || case when coalesce(restricted, false) then '{}'::text[] else p_field_scopes end;
        insert into public.oauth_access_token (id, token_hash, client_id, customer_id, subject, subject_hash, person_key_id, scopes, grant_id, issued_at, expires_at, revoked_at)
        values (p_access_id, p_access_hash, p_client, p_customer, p_access_subject, p_username_hash, p_person_key_id, access_scopes, p_code, p_now, p_access_expires_at, null);
        perform public.ids_audit_add(p_customer, p_now, p_actor_kind, p_actor_id, 'token.issued', 'oauth_access_token', p_access_id::text, p_subject_hash, null,
          jsonb_build_object('clientId', p_client_id, 'scopes', to_jsonb(access_scopes), 'expiresAt', p_access_expires_iso,
                             'grant', 'authorization_code', 'grantId', p_code::text), p_username);
        if p_refresh_id is not null then
          insert into public.oauth_refresh_token (id, token_hash, customer_id, client_id, grant_id, subject, subject_hash, person_key_id, scopes, auth_time, acr,
                                                  issued_at, expires_at, used_at, revoked_at)
          values (p_refresh_id, p_refresh_hash, p_customer, p_client, p_code, p_refresh_subject, p_username_hash, p_person_key_id, p_refresh_scopes, p_auth_time, p_acr,
                  p_now, p_refresh_expires_at, null, null);
        end if;
        return query select 'issued'::text, access_scopes;
      end $$;`);
  },
};

export const CODE_EXCHANGE_FUNCTIONS = [
  'ids_oidc_code_find(uuid, text[])',
  'ids_oidc_grant_revoke(uuid, uuid, timestamptz, text, text, text)',
  'ids_oidc_code_claim(uuid, uuid, timestamptz, text, text, uuid, text, text, text, text, uuid, text[], text[], uuid, text, text, timestamptz, text, uuid, text, text, text[], timestamptz, timestamptz, text)',
] as const;
