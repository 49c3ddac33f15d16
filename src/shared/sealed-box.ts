import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption for secrets kept at rest (AES-256-GCM). The key is derived once from
 * the server secret for one purpose, so a leaked database alone yields no usable secret, and the
 * associated data binds each ciphertext to its row (it cannot be moved to another one).
 */
export interface Sealer {
  seal(plaintext: Buffer, associatedData: string): Buffer;
  /** Throws when the box was altered, moved to another row, or sealed under another key. */
  open(box: Buffer, associatedData: string): Buffer;
}

const IV_LENGTH = 12;
const TAG_LENGTH = 16;

export function createSealer(serverSecret: string, purpose: string): Sealer {
  const key = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), `ids:${purpose}`, 32));
  return {
    seal(plaintext, associatedData) {
      const iv = randomBytes(IV_LENGTH);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    open(box, associatedData) {
      if (box.length < IV_LENGTH + TAG_LENGTH) throw new Error('sealed box is too short');
      const decipher = createDecipheriv('aes-256-gcm', key, box.subarray(0, IV_LENGTH));
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(box.subarray(IV_LENGTH, IV_LENGTH + TAG_LENGTH));
      return Buffer.concat([decipher.update(box.subarray(IV_LENGTH + TAG_LENGTH)), decipher.final()]);
    },
  };
}
