import { createHmac } from 'node:crypto';
import { secretsEqual } from '../../shared/secret-compare';
import type { SecretKeyRing } from '../../shared/secret-key-ring';

/** The MAC's purpose: an account token is valid for no other form (consent, dashboard). Never changes. */
const PURPOSE = 'ids-account-csrf';

function mac(secret: string, sessionId: string): string {
  return createHmac('sha256', secret).update(`${PURPOSE}\n${sessionId}`).digest('base64url');
}

/**
 * The CSRF token of every form of a privacy center session: an HMAC of the session id under the
 * newest SECRET_KEYS version. It changes with the session, so a token seen by anyone else is
 * useless once that session ends, and it is never stored.
 */
export function accountCsrfToken(secretKeys: SecretKeyRing, sessionId: string): string {
  return mac(secretKeys.current.secret.reveal(), sessionId);
}

/** Whether `token` is the session's CSRF token under any listed SECRET_KEYS version (so a rotation ends no session). */
export function isAccountCsrfValid(secretKeys: SecretKeyRing, token: string | null | undefined, sessionId: string): boolean {
  if (typeof token !== 'string' || token.length === 0 || token.length > 200) return false;
  return secretKeys.all.some((v) => secretsEqual(token, mac(v.secret.reveal(), sessionId)));
}
