import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { SecretKeyRing } from './secret-key-ring';

/**
 * Authenticated encryption for secrets kept at rest (AES-256-GCM). The key is derived once from
 * the server secret for one purpose, so a leaked database alone yields no usable secret, and the
 * associated data binds each ciphertext to its row (it cannot be moved to another one).
 *
 * Boxes name the secret key version they were sealed under, so boxes of every listed version open
 * (SECRET_KEYS rotation): `$<version>$` + IV + tag + ciphertext. Boxes sealed before versions
 * existed are IV + tag + ciphertext alone; they open under the oldest listed version, which is
 * what SECRET_KEY became (v1). The prefix must never change: every stored box would stop opening.
 */
export interface Sealer {
  seal(plaintext: Buffer, associatedData: string): Buffer;
  /** Throws when the box was altered, moved to another row, or sealed under another key (or a version no longer listed). */
  open(box: Buffer, associatedData: string): Buffer;
}

const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const MARK = 0x24; // '$'
/** `$v<1-9 digits>$`: a random legacy IV starts like this about once in 2^32; those still open (see `open`). */
const VERSION_PREFIX = /^\$(v\d{1,9})\$/;

export function createSealer(keys: SecretKeyRing, purpose: string): Sealer {
  // Derived once per version, at start-up.
  const derived = new Map(keys.all.map((v) => [v.version, Buffer.from(hkdfSync('sha256', v.secret.reveal(), Buffer.alloc(0), `ids:${purpose}`, 32))]));
  const currentKey = derived.get(keys.current.version)!;
  const currentPrefix = Buffer.from(`$${keys.current.version}$`, 'latin1');
  const legacyKey = derived.get(keys.stable.version)!;
  return {
    seal(plaintext, associatedData) {
      const iv = randomBytes(IV_LENGTH);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return Buffer.concat([currentPrefix, iv, cipher.getAuthTag(), body]);
    },
    open(box, associatedData) {
      const version = box[0] === MARK ? VERSION_PREFIX.exec(box.subarray(0, 12).toString('latin1')) : null;
      const key = version ? derived.get(version[1]!) : undefined;
      if (version && key) {
        try {
          return openRaw(key, box.subarray(version[0].length), associatedData);
        } catch {
          // Perhaps a legacy box whose random IV happens to read as a prefix: try the legacy key.
        }
      }
      return openRaw(legacyKey, box, associatedData);
    },
  };
}

function openRaw(key: Buffer, box: Buffer, associatedData: string): Buffer {
  if (box.length < IV_LENGTH + TAG_LENGTH) throw new Error('sealed box is too short');
  const decipher = createDecipheriv('aes-256-gcm', key, box.subarray(0, IV_LENGTH));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(box.subarray(IV_LENGTH, IV_LENGTH + TAG_LENGTH));
  return Buffer.concat([decipher.update(box.subarray(IV_LENGTH + TAG_LENGTH)), decipher.final()]);
}
