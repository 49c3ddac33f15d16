import type { Clock } from '../shared/clock';
import { InvalidNonceError, ReplayedNonceError } from './errors';
import { tryParseResponseNonce } from './nonce';

/**
 * Nonce checks (§11.3): a nonce is accepted once per OP endpoint, and only while its timestamp is
 * inside a window around now. The window bounds how long used nonces must be remembered.
 */

/** [D] Defaults: a nonce is good for one hour and may run up to five minutes ahead of us. */
export const DEFAULT_NONCE_MAX_AGE_SECONDS = 60 * 60;
export const DEFAULT_NONCE_MAX_FUTURE_SKEW_SECONDS = 5 * 60;

/** Remembers used nonces, shared by all OP instances (docs/protocol.md#security-shared-state). */
export interface NonceStore {
  /**
   * Records the nonce for this OP endpoint atomically. Returns false if it was already recorded.
   * The store may forget the entry after `expiresAt`: the time window rejects it from then on.
   */
  markUsed(endpoint: string, nonce: string, expiresAt: Date): Promise<boolean>;
}

export interface NonceWindow {
  readonly clock: Clock;
  readonly maxAgeSeconds?: number;
  readonly maxFutureSkewSeconds?: number;
}

export type NonceVerdict =
  | { readonly ok: true; readonly timestamp: Date; readonly expiresAt: Date }
  | { readonly ok: false; readonly reason: 'malformed' | 'too_old' | 'in_future' | 'replayed' };

/** Parses the nonce and places its timestamp in the window, without touching any store. */
export function judgeNonceTime(nonce: string, window: NonceWindow): NonceVerdict {
  const parsed = tryParseResponseNonce(nonce);
  if (parsed === undefined) return { ok: false, reason: 'malformed' };
  const maxAgeMs = (window.maxAgeSeconds ?? DEFAULT_NONCE_MAX_AGE_SECONDS) * 1000;
  const maxSkewMs = (window.maxFutureSkewSeconds ?? DEFAULT_NONCE_MAX_FUTURE_SKEW_SECONDS) * 1000;
  const now = window.clock.now().getTime();
  const at = parsed.timestamp.getTime();
  if (at < now - maxAgeMs) return { ok: false, reason: 'too_old' };
  if (at > now + maxSkewMs) return { ok: false, reason: 'in_future' };
  return { ok: true, timestamp: parsed.timestamp, expiresAt: new Date(at + maxAgeMs) };
}

/** Window check, then the single-use check against the store. Never throws for a bad nonce. */
export async function judgeNonce(
  nonce: string,
  endpoint: string,
  store: NonceStore,
  window: NonceWindow,
): Promise<NonceVerdict> {
  const verdict = judgeNonceTime(nonce, window);
  if (!verdict.ok) return verdict;
  const isFresh = await store.markUsed(endpoint, nonce, verdict.expiresAt);
  return isFresh ? verdict : { ok: false, reason: 'replayed' };
}

/** As `judgeNonce`, throwing `InvalidNonceError` or `ReplayedNonceError`. */
export async function checkNonce(
  nonce: string,
  endpoint: string,
  store: NonceStore,
  window: NonceWindow,
): Promise<void> {
  const verdict = await judgeNonce(nonce, endpoint, store, window);
  if (verdict.ok) return;
  if (verdict.reason === 'replayed') throw new ReplayedNonceError();
  const text = {
    malformed: 'openid.response_nonce is malformed',
    too_old: 'openid.response_nonce is too old',
    in_future: 'openid.response_nonce lies in the future',
  }[verdict.reason];
  throw new InvalidNonceError(text);
}
