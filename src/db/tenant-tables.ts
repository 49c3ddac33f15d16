/** The role the service connects as: it owns nothing and cannot bypass row-level security. */
export const APP_ROLE = 'ids_app';

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
 * platform path (`app.platform = on`) sees or writes them. A migration that creates one adds it
 * here and applies `platformPolicySql`; the same test checks these.
 */
export const PLATFORM_TABLES: readonly string[] = ['purge_run'];

/** Switches row-level security on for a platform table, with the policy that admits the platform path only. */
export function platformPolicySql(table: string): string[] {
  return [
    `alter table "${table}" enable row level security;`,
    `create policy platform_only on "${table}" using (current_setting('app.platform', true) = 'on') with check (current_setting('app.platform', true) = 'on');`,
  ];
}
