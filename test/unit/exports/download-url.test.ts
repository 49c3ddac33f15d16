import { DownloadSigner } from '../../../src/exports';
import { keyRing } from '../../support/secret-keys';

const ID = '6f1c2f0e-8d8a-4f4e-9d55-3c1f4f2b9a10';
const SECRET = 'unit-test-secret-0123456789abcdef0123456789';
const NEWER_SECRET = 'unit-test-secret-v2-0123456789abcdef01234567';

describe('signed export download links', () => {
  const signer = new DownloadSigner(keyRing(['v1', SECRET]));
  const expires = 1796000000;
  const sig = signer.sign(ID, expires);

  it('accepts exactly the id and expiry it signed', () => {
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(signer.verify(ID, String(expires), sig)).toBe(true);
  });

  it('refuses another id, another expiry, a tampered or malformed signature, and another key', () => {
    expect(signer.verify(ID.replace('6f1c', '6f1d'), String(expires), sig)).toBe(false);
    expect(signer.verify(ID, String(expires + 1), sig)).toBe(false);
    expect(signer.verify(ID, String(expires), `${sig.slice(0, 63)}${sig[63] === '0' ? '1' : '0'}`)).toBe(false);
    expect(signer.verify(ID, String(expires), sig.toUpperCase())).toBe(false);
    expect(signer.verify(ID, String(expires), sig.slice(0, 62))).toBe(false);
    expect(signer.verify(ID, `${expires}.5`, sig)).toBe(false);
    expect(new DownloadSigner(keyRing(['v1', `${SECRET}x`])).verify(ID, String(expires), sig)).toBe(false);
  });

  it('accepts a v1 link after SECRET_KEYS becomes v2,v1, signs new links under v2, and refuses v1 links once v1 is dropped', () => {
    const rotated = new DownloadSigner(keyRing(['v2', NEWER_SECRET], ['v1', SECRET]));
    const v2Only = new DownloadSigner(keyRing(['v2', NEWER_SECRET]));
    expect(rotated.verify(ID, String(expires), sig)).toBe(true);
    const newSig = rotated.sign(ID, expires);
    expect(newSig).not.toBe(sig);
    expect(v2Only.verify(ID, String(expires), newSig)).toBe(true);
    expect(signer.verify(ID, String(expires), newSig)).toBe(false);
    expect(v2Only.verify(ID, String(expires), sig)).toBe(false);
  });

  it('builds the link from the public URL', () => {
    expect(signer.url('https://id.example.com', 'acme', ID, new Date(expires * 1000 + 999))).toBe(`https://id.example.com/c/acme/exports/${ID}?expires=${expires}&sig=${sig}`);
  });
});
