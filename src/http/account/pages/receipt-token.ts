import { createHmac } from 'node:crypto';
import type { SecretKeyRing } from '../../../shared/secret-key-ring';
import { secretsEqual } from '../../../shared/secret-compare';

/** The MAC's purpose: a receipt token is valid nowhere else. Never changes (links already handed out would break). */
const PURPOSE = 'ids-account-receipt';

function mac(secret: string, requestId: string): string {
  return createHmac('sha256', secret).update(`${PURPOSE}\u0000${requestId.toLowerCase()}`, 'utf8').digest('base64url');
}

/**
 * The token of a privacy request's receipt link: a keyed MAC of its id under SECRET_KEYS. It is
 * what lets the receipt be read without a session, after the person's data (and session) is gone.
 */
export function receiptToken(keys: SecretKeyRing, requestId: string): string {
  return mac(keys.current.secret.reveal(), requestId);
}

/** Whether `token` is the receipt token of `requestId` under any SECRET_KEYS version. */
export function isReceiptTokenValid(keys: SecretKeyRing, token: unknown, requestId: string): boolean {
  return typeof token === 'string' && token.length <= 100 && keys.all.some((v) => secretsEqual(token, mac(v.secret.reveal(), requestId)));
}
