import { hkdfSync } from 'node:crypto';
import { Secret } from './secret';

/** One version of the key-encryption key: 32 bytes, base64 in MASTER_KEYS, wrapped so it never prints. */
export interface MasterKey {
  readonly version: string;
  readonly key: Secret;
}

const VERSION = /^v[0-9]{1,6}$/;

/**
 * Parses MASTER_KEYS, `v2:<base64 of 32 bytes>,v1:<…>`, newest first. Returns the problems instead
 * of throwing, naming the entry by its position and version, never by its value.
 */
export function parseMasterKeys(text: string): { keys: MasterKey[]; problems: string[] } {
  const keys: MasterKey[] = [];
  const problems: string[] = [];
  const entries = text.split(',').map((e) => e.trim());
  entries.forEach((entry, index) => {
    const at = entry.indexOf(':');
    const version = at < 0 ? '' : entry.slice(0, at);
    const value = at < 0 ? '' : entry.slice(at + 1);
    const where = `MASTER_KEYS entry ${index + 1}${VERSION.test(version) ? ` (${version})` : ''}`;
    if (!VERSION.test(version)) return void problems.push(`${where}: must start with a version such as v1: followed by the key`);
    if (keys.some((k) => k.version === version)) return void problems.push(`${where}: version ${version} is listed twice`);
    const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) ? Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64') : Buffer.alloc(0);
    if (bytes.length !== 32) return void problems.push(`${where}: the key must be 32 random bytes in base64 (openssl rand -base64 32)`);
    keys.push({ version, key: new Secret(bytes.toString('base64')) });
  });
  return { keys, problems };
}

/**
 * The key-encryption key of a development or test run without MASTER_KEYS: derived from the
 * server secret, so data written in one run stays readable in the next with the same SECRET_KEY.
 * Production refuses to start without MASTER_KEYS.
 */
export function derivedMasterKey(serverSecret: string): MasterKey {
  const bytes = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), 'ids:development-master-key', 32));
  return { version: 'v1', key: new Secret(bytes.toString('base64')) };
}
