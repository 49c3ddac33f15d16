import { EntityManager } from '@mikro-orm/postgresql';
import { OAuthClient } from './oauth-client.entity';

/**
 * Credential checks through the SECURITY DEFINER functions of the PlatformRole migration: each takes
 * the presented credential's hash, answers only what the caller needs, and enters the credential's
 * customer for the rest of the transaction (or nobody's, when nothing matched). One statement each,
 * and the service's role never reads another customer's rows to find a caller.
 */

/** The client whose id and secret hash these are, its customer entered; null (and nobody's rows) when none. */
export async function enterOAuthClient(em: EntityManager, clientId: string, secretHash: string): Promise<OAuthClient | null> {
  const [row]: Array<Record<string, unknown>> = await em.execute('select * from ids_enter_oauth_client(?, ?)', [clientId, secretHash]);
  return row ? em.map(OAuthClient, row) : null;
}

/** An active access token's grant as stored: its subject sealed under `personKeyId` (clear when that is null). */
export interface StoredAccessGrant {
  tokenId: string;
  customerId: string;
  clientId: string;
  scopes: string[];
  subject: string | null;
  subjectHash: string | null;
  personKeyId: string | null;
}

/**
 * The grant of an active access token of an enabled client, its customer entered; null when none.
 * `tokenHashes` are the presented token's hashes under each SECRET_KEYS version (hex): one statement.
 */
export async function enterAccessToken(em: EntityManager, tokenHashes: readonly string[], now: Date): Promise<StoredAccessGrant | null> {
  const [row]: Array<{
    grant_customer_id: string;
    grant_client_id: string;
    grant_scopes: string[];
    grant_subject: string | null;
    grant_token_id: string;
    grant_subject_hash: string | null;
    grant_person_key_id: string | null;
  }> = await em.execute('select * from ids_enter_access_token(?::text[], ?)', [hexArray(tokenHashes), now]);
  if (!row) return null;
  return {
    tokenId: row.grant_token_id,
    customerId: row.grant_customer_id,
    clientId: row.grant_client_id,
    scopes: row.grant_scopes,
    subject: row.grant_subject,
    subjectHash: row.grant_subject_hash,
    personKeyId: row.grant_person_key_id,
  };
}

/** A PostgreSQL array literal of hex strings (nothing in them needs quoting). */
export function hexArray(values: readonly string[]): string {
  if (!values.every((v) => /^[0-9a-f]+$/.test(v))) throw new Error('expected hex strings');
  return `{${values.join(',')}}`;
}
