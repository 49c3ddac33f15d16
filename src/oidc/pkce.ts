import { createHash } from 'node:crypto';
import { secretsEqual } from '../shared/secret-compare';

/**
 * PKCE (RFC 7636) at the token endpoint, S256 only: the authorization endpoint refuses `plain`
 * (RFC 9700 §2.1.1), so every stored challenge is BASE64URL(SHA256(verifier)).
 */

/** RFC 7636 §4.1: 43 to 128 characters of the unreserved set. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export function isWellFormedVerifier(verifier: string): boolean {
  return VERIFIER.test(verifier);
}

/** The S256 challenge of a verifier (RFC 7636 §4.2). */
export function s256Challenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * RFC 7636 §4.6: whether `verifier` proves possession for `challenge`. A missing or malformed
 * verifier proves nothing (the token endpoint answers `invalid_grant` for both, as conformance
 * suites expect: the grant, not the request's syntax, is what fails).
 */
export function verifiesChallenge(verifier: string | undefined, challenge: string): boolean {
  if (verifier === undefined || !isWellFormedVerifier(verifier)) return false;
  return secretsEqual(s256Challenge(verifier), challenge);
}
