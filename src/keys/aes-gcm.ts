import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM, the one cipher of data at rest: a random 96-bit IV per message, the 128-bit tag,
 * and associated data that binds the message to where it is stored. Box layout: iv | tag | body.
 */
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

export function seal(key: Buffer, plaintext: Buffer, associatedData: string): Buffer {
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Throws when the box was altered, sealed under another key, or for other associated data. */
export function open(key: Buffer, box: Buffer, associatedData: string): Buffer {
  if (box.length < IV_LENGTH + TAG_LENGTH) throw new Error('sealed box is too short');
  const decipher = createDecipheriv('aes-256-gcm', key, box.subarray(0, IV_LENGTH));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(box.subarray(IV_LENGTH, IV_LENGTH + TAG_LENGTH));
  return Buffer.concat([decipher.update(box.subarray(IV_LENGTH + TAG_LENGTH)), decipher.final()]);
}
