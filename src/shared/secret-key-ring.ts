/**
 * The server secret's versions (SECRET_KEYS), the one in use first (normally newest first). What the
 * service makes (a token hash, a cookie, a signed URL, a sealed box) it makes with `current`; what
 * it checks it accepts under any version of `all`, so values made before a rotation keep working
 * until they expire. A version listed after an older one is staged: accepted, not yet used.
 *
 * `stable` (the oldest listed version, by number) keys identifiers that are matched by equality
 * across time (the audit trail's subject hashes, address hashes, postback digests): they must hash
 * the same tomorrow as they did a year ago, so they move only when that version is removed (README,
 * "Rotating SECRET_KEYS").
 *
 * Secrets travel wrapped (config's `Secret`, or anything with `reveal()`), so logging a ring never
 * prints one.
 */
export interface SecretKeyVersion {
  /** `v<digits>`, unique in the ring; sealed boxes carry it. */
  readonly version: string;
  readonly secret: { reveal(): string };
}

export interface SecretKeyRing {
  /** The first listed version: everything new is made with it. */
  readonly current: SecretKeyVersion;
  /** Every version, as listed: anything presented is checked against each. */
  readonly all: readonly SecretKeyVersion[];
  /** The oldest version (lowest number): keys identifiers that must stay equal over time. */
  readonly stable: SecretKeyVersion;
}

/** A ring of these versions (the one in use first; at least one). */
export function secretKeyRing(versions: readonly SecretKeyVersion[]): SecretKeyRing {
  if (versions.length === 0) throw new Error('a secret key ring needs at least one version');
  const all = Object.freeze([...versions]);
  const stable = all.reduce((oldest, v) => (versionNumber(v.version) < versionNumber(oldest.version) ? v : oldest));
  return Object.freeze({ current: all[0]!, all, stable });
}

function versionNumber(label: string): number {
  return Number(label.slice(1));
}

/** The `v<digits>` label of a version; the number orders versions. */
export const SECRET_KEY_VERSION_PATTERN = /^v\d{1,9}$/;
