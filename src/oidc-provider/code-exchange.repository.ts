import type { SqlPool } from '../db/sql-pool';

/**
 * The code exchange's statements (issue 19): calls of the OidcCodeExchange migration's functions, as
 * named statements on the login path's pool, each its own transaction in its customer's scope.
 * Nothing here decides anything; the functions' comments say what each checks and writes.
 */

/** Who the audit events of a call name as their actor (see audit/actor.ts). */
export interface ExchangeActor {
  kind: string;
  id: string;
}

/** An authorization code as stored by the completion step (oidc_code). */
export interface StoredCode {
  id: string;
  clientRowId: string;
  /** Sealed under the person's key (usernameAad). */
  username: string;
  usernameHash: string | null;
  personKeyId: string | null;
  fields: string[];
  request: unknown;
  authTime: Date | null;
  authPolicies: string[] | null;
  expiresAt: Date;
  usedAt: Date | null;
}

/** Statement 1: the code found by any of its hashes, read only. */
export async function findCode(pool: SqlPool, customerId: string, hashes: readonly string[]): Promise<StoredCode | null> {
  const { rows } = await pool.query<{
    id: string; client_id: string; username: string; username_hash: string | null; person_key_id: string | null; fields: string[]; request: unknown;
    auth_time: Date | null; auth_policies: string[] | null; expires_at: Date; used_at: Date | null;
  }>({
    name: 'ids_oidc_code_find',
    text: 'select id, client_id, username, username_hash, person_key_id, fields, request, auth_time, auth_policies, expires_at, used_at from ids_oidc_code_find($1, $2)',
    values: [customerId, hashes],
  });
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    clientRowId: row.client_id,
    username: row.username,
    usernameHash: row.username_hash,
    personKeyId: row.person_key_id,
    fields: row.fields,
    request: row.request,
    authTime: row.auth_time,
    authPolicies: row.auth_policies,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  };
}

/** A replayed code: revokes its grant's tokens and audits it (token.grant_revoked). */
export async function revokeCodeGrant(pool: SqlPool, customerId: string, grantId: string, now: Date, actor: ExchangeActor, reason: string): Promise<void> {
  await pool.query({
    name: 'ids_oidc_grant_revoke',
    text: 'select ids_oidc_grant_revoke($1, $2, $3, $4, $5, $6)',
    values: [customerId, grantId, now, actor.kind, actor.id, reason],
  });
}

/** What statement 2 writes when it wins the code: the prepared tokens, sealed and hashed. */
export interface CodeClaim {
  customerId: string;
  codeId: string;
  now: Date;
  actor: ExchangeActor;
  clientRowId: string;
  clientId: string;
  /** The code's sealed username, for the audit payload (as the flow's events carry it). */
  sealedUsername: string;
  usernameHash: string;
  /** The audit trail's keyed hash of the username. */
  subjectHash: string;
  personKeyId: string;
  scopes: readonly string[];
  fieldScopes: readonly string[];
  access: { id: string; hash: string; subject: string; expiresAt: Date };
  refresh: { id: string; hash: string; subject: string; scopes: readonly string[]; expiresAt: Date } | null;
  authTime: Date | null;
  acr: string;
}

/** Statement 2: claims the code and issues, or answers 'replayed' having revoked the grant. */
export async function claimCode(pool: SqlPool, claim: CodeClaim): Promise<{ outcome: 'issued'; scopes: string[] } | { outcome: 'replayed' }> {
  const { rows } = await pool.query<{ outcome: 'issued' | 'replayed'; scopes: string[] | null }>({
    name: 'ids_oidc_code_claim',
    text:
      'select outcome, scopes from ids_oidc_code_claim($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)',
    values: [
      claim.customerId,
      claim.codeId,
      claim.now,
      claim.actor.kind,
      claim.actor.id,
      claim.clientRowId,
      claim.clientId,
      claim.sealedUsername,
      claim.usernameHash,
      claim.subjectHash,
      claim.personKeyId,
      claim.scopes,
      claim.fieldScopes,
      claim.access.id,
      claim.access.hash,
      claim.access.subject,
      claim.access.expiresAt,
      claim.access.expiresAt.toISOString(),
      claim.refresh?.id ?? null,
      claim.refresh?.hash ?? null,
      claim.refresh?.subject ?? null,
      claim.refresh?.scopes ?? null,
      claim.refresh?.expiresAt ?? null,
      claim.authTime,
      claim.acr,
    ],
  });
  const row = rows[0];
  if (!row || row.outcome !== 'issued' || row.scopes === null) return { outcome: 'replayed' };
  return { outcome: 'issued', scopes: row.scopes };
}
