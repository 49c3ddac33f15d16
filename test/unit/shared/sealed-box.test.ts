import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { createSealer } from '../../../src/shared/sealed-box';
import { keyRing } from '../../support/secret-keys';

const SECRET = 'server-secret-0123456789abcdef0123456789';
const NEWER_SECRET = 'server-secret-v2-0123456789abcdef01234567';

/** A box as createSealer made it before versions existed: IV, tag, ciphertext, under the raw server secret's purpose key. */
function legacyBox(serverSecret: string, purpose: string, plaintext: Buffer, associatedData: string, iv = randomBytes(12)): Buffer {
  const key = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), `ids:${purpose}`, 32));
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

describe('sealed boxes for secrets at rest', () => {
  const sealer = createSealer(keyRing(['v1', SECRET]), 'test');
  const secret = Buffer.from('00112233445566778899aabbccddeeff00112233', 'hex');

  it('opens what it sealed for the same row, and the box does not contain the secret', () => {
    const box = sealer.seal(secret, 'customer-a\nhandle-1');
    expect(box.includes(secret)).toBe(false);
    expect(sealer.open(box, 'customer-a\nhandle-1')).toEqual(secret);
  });

  it('seals the same secret differently each time', () => {
    expect(sealer.seal(secret, 'row').equals(sealer.seal(secret, 'row'))).toBe(false);
  });

  it('refuses a box moved to another row, altered, truncated, or sealed under another key', () => {
    const box = sealer.seal(secret, 'customer-a\nhandle-1');
    expect(() => sealer.open(box, 'customer-b\nhandle-1')).toThrow();
    const altered = Buffer.from(box);
    altered[altered.length - 1]! ^= 1;
    expect(() => sealer.open(altered, 'customer-a\nhandle-1')).toThrow();
    expect(() => sealer.open(box.subarray(0, 20), 'customer-a\nhandle-1')).toThrow();
    expect(() => createSealer(keyRing(['v1', 'another-secret-0123456789abcdef012345']), 'test').open(box, 'customer-a\nhandle-1')).toThrow();
    expect(() => createSealer(keyRing(['v1', SECRET]), 'other purpose').open(box, 'customer-a\nhandle-1')).toThrow();
  });
});

describe('sealed boxes across a SECRET_KEYS rotation', () => {
  const before = createSealer(keyRing(['v1', SECRET]), 'test');
  const during = createSealer(keyRing(['v2', NEWER_SECRET], ['v1', SECRET]), 'test');
  const after = createSealer(keyRing(['v2', NEWER_SECRET]), 'test');
  const secret = Buffer.from('00112233445566778899aabbccddeeff00112233', 'hex');

  it('names the version it sealed under, and seals under the newest', () => {
    expect(before.seal(secret, 'row').subarray(0, 4).toString('latin1')).toBe('$v1$');
    expect(during.seal(secret, 'row').subarray(0, 4).toString('latin1')).toBe('$v2$');
  });

  it('opens a v1 box after v2 is added, and a v2 box after v1 is dropped', () => {
    const v1Box = before.seal(secret, 'row');
    expect(during.open(v1Box, 'row')).toEqual(secret);
    const v2Box = during.seal(secret, 'row');
    expect(after.open(v2Box, 'row')).toEqual(secret);
    expect(() => before.open(v2Box, 'row')).toThrow();
  });

  it('while v2 is only staged (listed after v1), seals under v1, opens v2 boxes, and opens legacy boxes under v1', () => {
    const staged = createSealer(keyRing(['v1', SECRET], ['v2', NEWER_SECRET]), 'test');
    expect(staged.seal(secret, 'row').subarray(0, 4).toString('latin1')).toBe('$v1$');
    expect(staged.open(during.seal(secret, 'row'), 'row')).toEqual(secret);
    expect(staged.open(legacyBox(SECRET, 'test', secret, 'row'), 'row')).toEqual(secret);
  });

  it('refuses a v1 box once v1 is dropped', () => {
    expect(() => after.open(before.seal(secret, 'row'), 'row')).toThrow();
  });

  it('opens boxes sealed before versions existed (no prefix) under the oldest listed version, SECRET_KEY being v1', () => {
    const old = legacyBox(SECRET, 'test', secret, 'row');
    expect(before.open(old, 'row')).toEqual(secret);
    expect(during.open(old, 'row')).toEqual(secret);
    expect(() => during.open(old, 'another row')).toThrow();
    expect(() => after.open(old, 'row')).toThrow();
  });

  it('still opens a legacy box whose random IV happens to read as a version prefix', () => {
    const iv = Buffer.concat([Buffer.from('$v2$', 'latin1'), randomBytes(8)]);
    expect(during.open(legacyBox(SECRET, 'test', secret, 'row', iv), 'row')).toEqual(secret);
  });
});
