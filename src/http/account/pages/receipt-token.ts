import { csrfToken, isCsrfTokenValid } from '../../../identity-flow';
import type { SecretKeyRing } from '../../../shared/secret-key-ring';

/** The MAC's purpose: a receipt token is valid nowhere else. Never changes (links already handed out would break). */
const PURPOSE = 'ids-account-receipt';

/**
 * The token of a privacy request's receipt link: the flow's keyed MAC (binding.ts) of its id under
 * SECRET_KEYS, for this purpose only. It is what lets the receipt be read without a session, after
 * the person's data (and session) is gone.
 */
export function receiptToken(keys: SecretKeyRing, requestId: string): string {
  return csrfToken(keys, PURPOSE, requestId.toLowerCase());
}

/** Whether `token` is the receipt token of `requestId` under any SECRET_KEYS version. */
export function isReceiptTokenValid(keys: SecretKeyRing, token: unknown, requestId: string): boolean {
  return typeof token === 'string' && token.length <= 100 && isCsrfTokenValid(keys, token, PURPOSE, requestId.toLowerCase());
}
