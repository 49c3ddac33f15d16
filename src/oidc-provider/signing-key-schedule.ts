import type { IdTokenAlg } from '../oauth/oauth-client.entity';

/**
 * The life of a signing key, pure: published (in the JWKS) from `createdAt`, signing from
 * `activatesAt` until `retiresAt`, published until `expiresAt`. A key is published before it signs
 * so that relying parties that cache the JWKS have fetched it before they meet a token it signed;
 * it stays published after it retires for as long as a token it signed may still be presented
 * (an ID token, or an `id_token_hint` at logout).
 */
export interface KeySchedule {
  readonly alg: IdTokenAlg;
  readonly createdAt: Date;
  readonly activatesAt: Date;
  readonly retiresAt: Date | null;
  readonly expiresAt: Date | null;
}

/** PUBLISHED: in the JWKS, not signing yet; ACTIVE: may sign; RETIRED: no longer signs, still published; EXPIRED: gone. */
export type KeyStatus = 'PUBLISHED' | 'ACTIVE' | 'RETIRED' | 'EXPIRED';

const before = (at: Date | null, now: Date): boolean => at !== null && at.getTime() <= now.getTime();

/** Whether the key is in the JWKS at `now`: createdAt ≤ now < coalesce(expiresAt, ∞). */
export function isPublished(key: KeySchedule, now: Date): boolean {
  return before(key.createdAt, now) && !before(key.expiresAt, now);
}

/** Whether the key may sign at `now`: activatesAt ≤ now < coalesce(retiresAt, ∞). */
export function isSigning(key: KeySchedule, now: Date): boolean {
  return before(key.activatesAt, now) && !before(key.retiresAt, now) && !before(key.expiresAt, now);
}

export function keyStatus(key: KeySchedule, now: Date): KeyStatus {
  if (!isPublished(key, now)) return 'EXPIRED';
  if (isSigning(key, now)) return 'ACTIVE';
  return before(key.activatesAt, now) ? 'RETIRED' : 'PUBLISHED';
}

/** The key that signs for `alg` at `now`: the newest to activate among those signing, or null. */
export function signingKey<K extends KeySchedule>(keys: readonly K[], alg: IdTokenAlg, now: Date): K | null {
  let found: K | null = null;
  for (const key of keys) {
    if (key.alg !== alg || !isSigning(key, now)) continue;
    if (!found || key.activatesAt.getTime() > found.activatesAt.getTime()) found = key;
  }
  return found;
}

/** The dates of a customer's first key of an algorithm: nobody can hold a token of another, so it signs at once. */
export function firstKeyDates(now: Date): Pick<KeySchedule, 'createdAt' | 'activatesAt' | 'retiresAt' | 'expiresAt'> {
  return { createdAt: now, activatesAt: now, retiresAt: null, expiresAt: null };
}

export interface RotationSettings {
  /** How long a new key is published before it signs (OIDC_KEY_PUBLISH_SECONDS). */
  readonly publishSeconds: number;
  /** How long a retired key stays published (OIDC_KEY_RETIRED_SECONDS, at least the ID token lifetime). */
  readonly retiredSeconds: number;
}

export interface RotationPlan {
  /** The new key's dates. */
  readonly next: Pick<KeySchedule, 'createdAt' | 'activatesAt' | 'retiresAt' | 'expiresAt'>;
  /** When the keys it replaces stop signing (the new key's activation), and when they leave the JWKS. */
  readonly retiresAt: Date;
  readonly expiresAt: Date;
}

/**
 * A rotation decided at `now`: the new key is published now and signs from `now + publishSeconds`;
 * every key of the algorithm not yet retiring before then retires at that instant (so exactly one
 * key signs at any time) and expires `retiredSeconds` later.
 */
export function rotationPlan(now: Date, settings: RotationSettings): RotationPlan {
  const activatesAt = new Date(now.getTime() + settings.publishSeconds * 1000);
  return {
    next: { createdAt: now, activatesAt, retiresAt: null, expiresAt: null },
    retiresAt: activatesAt,
    expiresAt: new Date(activatesAt.getTime() + settings.retiredSeconds * 1000),
  };
}
