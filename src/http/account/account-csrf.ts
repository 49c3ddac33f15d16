import { csrfToken, isCsrfTokenValid } from '../../identity-flow';
import type { SecretKeyRing } from '../../shared/secret-key-ring';

/** The MAC's purpose: an account token is valid for no other form (consent, dashboard). Never changes. */
const PURPOSE = 'ids-account-csrf';

/**
 * The CSRF token of every form of a privacy center session: the flow's keyed form MAC (binding.ts)
 * of the session id under the newest SECRET_KEYS version, for this purpose only, as the dashboard's
 * and the queue board's. It changes with the session, so a token seen by anyone else is useless
 * once that session ends, and it is never stored.
 */
export function accountCsrfToken(secretKeys: SecretKeyRing, sessionId: string): string {
  return csrfToken(secretKeys, PURPOSE, sessionId);
}

/** Whether `token` is the session's CSRF token under any listed SECRET_KEYS version (so a rotation ends no session). */
export function isAccountCsrfValid(secretKeys: SecretKeyRing, token: string | null | undefined, sessionId: string): boolean {
  if (typeof token !== 'string' || token.length === 0 || token.length > 200) return false;
  return isCsrfTokenValid(secretKeys, token, PURPOSE, sessionId);
}
