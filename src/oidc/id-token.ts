import { createHash } from 'node:crypto';
import type { IdTokenAlg } from '../oauth/oauth-client.entity';
import type { AuthenticationContext } from './acr';

/**
 * The claims of an ID token (OpenID Connect Core §2, §3.1.3.6). Pure: the caller signs them with
 * the customer's key for the client's algorithm.
 */
export interface IdTokenInput {
  issuer: string;
  /** The AW username. */
  subject: string;
  /** The public client_id: the only audience, hence also `azp` (§2: azp when there is one audience is allowed). */
  clientId: string;
  now: Date;
  ttlSeconds: number;
  /** When the AW says the person logged in; null when it did not say (then the claim is left out rather than invented). */
  authTime: Date | null;
  /** Echoed from the authorization request; never on a refresh (§12.2). */
  nonce: string | null;
  /** The access token issued beside it, for `at_hash`. */
  accessToken: string;
  alg: IdTokenAlg;
  context: AuthenticationContext;
}

export type IdTokenClaims = Record<string, string | number | string[]>;

export function idTokenClaims(input: IdTokenInput): IdTokenClaims {
  const iat = Math.floor(input.now.getTime() / 1000);
  return {
    iss: input.issuer,
    sub: input.subject,
    aud: input.clientId,
    azp: input.clientId,
    exp: iat + input.ttlSeconds,
    iat,
    // Only what the AW reported (PAPE's rule too: an invented auth_time would be a false assertion). A request with
    // max_age or prompt=login never gets this far without one (identity-flow/step-results.ts).
    ...(input.authTime ? { auth_time: Math.floor(input.authTime.getTime() / 1000) } : {}),
    ...(input.nonce !== null ? { nonce: input.nonce } : {}),
    at_hash: atHash(input.accessToken, input.alg),
    acr: input.context.acr,
    ...(input.context.amr ? { amr: input.context.amr } : {}),
  };
}

/**
 * §3.1.3.6: the base64url of the left half of the hash of the access token's ASCII octets, the hash
 * being the one of the ID token's `alg` (SHA-256 for both ES256 and RS256).
 */
export function atHash(accessToken: string, alg: IdTokenAlg): string {
  const hash = HASH_OF[alg];
  const digest = createHash(hash).update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

const HASH_OF: Readonly<Record<IdTokenAlg, string>> = { ES256: 'sha256', RS256: 'sha256' };
