import { createSealer } from '../../../src/shared/sealed-box';

describe('sealed boxes for secrets at rest', () => {
  const sealer = createSealer('server-secret-0123456789abcdef0123456789', 'test');
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
    expect(() => createSealer('another-secret-0123456789abcdef012345', 'test').open(box, 'customer-a\nhandle-1')).toThrow();
    expect(() => createSealer('server-secret-0123456789abcdef0123456789', 'other purpose').open(box, 'customer-a\nhandle-1')).toThrow();
  });
});
