import type { JWK, JWTPayload } from 'jose';
import type { IdTokenAlg } from '../oauth/oauth-client.entity';

/**
 * Signs with a customer's current key for an algorithm and publishes the customer's keys
 * (signing-keys.service.ts). The only place a private key is used.
 */
export interface IdTokenSigner {
  /** A compact JWS of `payload` with the customer's active key for `alg` (made on first use), header `{alg, kid, typ}`. */
  sign(customerId: string, alg: IdTokenAlg, payload: JWTPayload, typ?: string): Promise<string>;
  /** The customer's published public keys (upcoming, active and retired-but-unexpired), for `jwks_uri`. */
  jwks(customerId: string): Promise<{ keys: JWK[] }>;
  /**
   * Verifies a JWS this customer signed (an `id_token_hint`), by its `kid` among the published keys,
   * ignoring expiry when `allowExpired`; null when it is not one of ours or does not verify.
   */
  verifyOwn(customerId: string, jws: string, options: { issuer: string; allowExpired: boolean }): Promise<JWTPayload | null>;
}
