import fc from 'fast-check';
import { base64ToBigInt, bigIntToBase64, btwoc, decodeBase64Strict, DEFAULT_DH_MODULUS, fromBtwoc } from '../../../src/openid';

describe('btwoc (§4.2) and base64 integers, docs/protocol.md#vectors-btwoc', () => {
  it.each([
    [0n, '00', 'AA=='],
    [1n, '01', 'AQ=='],
    [127n, '7f', 'fw=='],
    [128n, '0080', 'AIA='],
    [255n, '00ff', 'AP8='],
    [256n, '0100', 'AQA='],
    [32768n, '008000', undefined],
  ])('encodes %s as %s', (n, hex, base64) => {
    expect(btwoc(n).toString('hex')).toBe(hex);
    expect(fromBtwoc(Buffer.from(hex, 'hex'))).toBe(n);
    if (base64 !== undefined) {
      expect(bigIntToBase64(n)).toBe(base64);
      expect(base64ToBigInt(base64)).toBe(n);
    }
  });

  it('encodes the Appendix B default modulus as python-openid does', () => {
    expect(bigIntToBase64(DEFAULT_DH_MODULUS)).toBe(
      'ANz5OguIOXLsDhmYmsWizjEOHTdxfo2Vcbt2I3MYZuYe91ouJ4mLBX+YkcLiemOcPym2CBRYHNOyyjmG0mg3BVd9RcLn5S3IHHoXGHblzqdLFEi/368Ygo79JRnxTkXjgmY0rxlJ5bU1zIKaSDuKdiI+XUkKJX8Fvf8W8vsixYOr',
    );
  });

  it('reads a set top bit as a negative number, as two’s complement says', () => {
    expect(fromBtwoc(Buffer.from([0xff]))).toBe(-1n);
    expect(fromBtwoc(Buffer.from([0x80, 0x00]))).toBe(-32768n);
  });

  it.each([
    ['junk characters', 'AQ$='],
    ['missing padding', 'AQ'],
    ['too much padding', 'AQ==='],
    ['padding in the middle', 'A=Q='],
    ['non-zero trailing bits', 'AR=='],
    ['whitespace', 'AQ== '],
    ['the URL-safe alphabet', 'AP-_'],
    ['the empty string', ''],
  ])('rejects base64 with %s', (_label, text) => {
    expect(decodeBase64Strict(text)).toBeUndefined();
    expect(base64ToBigInt(text)).toBeUndefined();
  });

  it('round-trips any non-negative integer through the shortest encoding', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 4100n) - 1n }), (n) => {
        const bytes = btwoc(n);
        expect(fromBtwoc(bytes)).toBe(n);
        // Shortest: dropping the first byte must change the value.
        if (bytes.length > 1) expect(fromBtwoc(bytes.subarray(1))).not.toBe(n);
        expect(base64ToBigInt(bigIntToBase64(n))).toBe(n);
      }),
    );
  });
});
