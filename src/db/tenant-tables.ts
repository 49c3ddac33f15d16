/** The role the service connects as: it owns nothing and cannot bypass row-level security. */
export const APP_ROLE = 'ids_app';

/**
 * The role of the platform path (the platform operator, the maintenance jobs), on a pool of its own:
 * it owns nothing either, but bypasses row-level security. `ids_app` cannot become it, so no setting
 * of an `ids_app` session opens every customer's rows.
 */
export const PLATFORM_ROLE = 'ids_platform';

/**
 * Every table holding one customer's rows, with the column naming that customer. A migration that
 * creates a table adds it here and applies `tenantPolicySql` to it; a test fails for any table of
 * the schema missing from this list or without its policy.
 */
export const TENANT_TABLES: ReadonlyArray<readonly [table: string, column: string]> = [
  ['customer', 'id'],
  ['customer_api_key', 'customer_id'],
  ['openid_association', 'customer_id'],
  ['openid_nonce', 'customer_id'],
  ['auth_request', 'customer_id'],
  ['auth_request_transition', 'customer_id'],
  ['consent_decision', 'customer_id'],
  ['profile', 'customer_id'],
  ['oauth_client', 'customer_id'],
  ['oauth_access_token', 'customer_id'],
  ['oauth_login_code', 'customer_id'],
  ['operator_token', 'customer_id'],
  ['audit_outbox', 'customer_id'],
  ['audit_event', 'customer_id'],
  ['audit_payload', 'customer_id'],
  ['webhook_endpoint', 'customer_id'],
  ['webhook_delivery', 'customer_id'],
  ['webhook_attempt', 'customer_id'],
  ['deletion_request', 'customer_id'],
  ['profile_export', 'customer_id'],
  ['oidc_code', 'customer_id'],
  ['oauth_refresh_token', 'customer_id'],
  ['oidc_signing_key', 'customer_id'],
  ['sign_in_hour_count', 'customer_id'],
  ['privacy_request', 'customer_id'],
];

/** Switches row-level security on for `table` with the one tenant policy (see the RowLevelSecurity migration). */
export function tenantPolicySql(table: string, column: string): string[] {
  return [
    `alter table "${table}" enable row level security;`,
    `create policy tenant_isolation on "${table}" using (ids_row_visible("${column}")) with check (ids_row_visible("${column}"));`,
  ];
}

/**
 * Tables of platform data that belong to no customer (the purge job's record of its runs): only the
 * platform path (the `ids_platform` role, which bypasses the policy) sees or writes them. A migration
 * that creates one adds it here and applies `platformPolicySql`; the same test checks these.
 */
export const PLATFORM_TABLES: readonly string[] = ['purge_run'];

/** Switches row-level security on for a platform table, with a policy that admits no row to `ids_app` whatever it sets. */
export function platformPolicySql(table: string): string[] {
  return [`alter table "${table}" enable row level security;`, `create policy platform_only on "${table}" using (false) with check (false);`];
}
