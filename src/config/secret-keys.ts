import { SECRET_KEY_VERSION_PATTERN, SecretKeyVersion } from '../shared/secret-key-ring';
import { Secret } from './secret';

/** Shortest secret accepted for any version, as for SECRET_KEY. */
export const SECRET_KEY_MIN_LENGTH = 32;

/** The version SECRET_KEY stands for: `SECRET_KEY=s` is `SECRET_KEYS=v1:s`. Never changes (sealed boxes name it). */
export const SINGLE_SECRET_KEY_VERSION = 'v1';

/**
 * Parses `SECRET_KEYS` (`v2:<secret>,v1:<secret>`: the one in use first, normally the newest; a
 * newer one listed after it is staged, see the README). Problems name the entry and the version,
 * never a secret (nor a label that might be one, when the entry is malformed).
 */
export function parseSecretKeys(value: string): { versions: SecretKeyVersion[]; problems: string[] } {
  const versions: SecretKeyVersion[] = [];
  const problems: string[] = [];
  const entries = value.split(',');
  entries.forEach((raw, index) => {
    const entry = raw.trim();
    const at = `SECRET_KEYS: entry ${index + 1} of ${entries.length}`;
    if (entry === '') return void problems.push(`${at} is empty (entries are separated by commas, and secrets may not contain one)`);
    const colon = entry.indexOf(':');
    const label = colon < 0 ? '' : entry.slice(0, colon);
    if (!SECRET_KEY_VERSION_PATTERN.test(label)) return void problems.push(`${at} must be <version>:<secret> with a version like v2`);
    const secret = entry.slice(colon + 1);
    if (secret.length < SECRET_KEY_MIN_LENGTH) problems.push(`SECRET_KEYS: the secret of ${label} must be at least ${SECRET_KEY_MIN_LENGTH} characters`);
    if (versions.some((v) => v.version === label)) problems.push(`SECRET_KEYS: ${label} is listed more than once`);
    versions.push({ version: label, secret: new Secret(secret) });
  });
  return { versions, problems };
}

