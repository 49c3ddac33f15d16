import { createHmac, hkdfSync } from 'node:crypto';
import { secretsEqual } from '../shared/secret-compare';
import { SecretKeyRing } from '../shared/secret-key-ring';

/**
 * Signed, expiring download links: `sig` is the hex HMAC-SHA256 of `"{id}.{expires}"` (expires in
 * unix seconds) under a key derived from SECRET_KEYS for this purpose alone. The purpose string
 * must never change: every link handed out would stop working. Links are signed under the newest
 * SECRET_KEYS version and accepted under any listed one.
 */
export class DownloadSigner {
  /** Newest first, derived once. */
  private readonly keys: Buffer[];

  constructor(secretKeys: SecretKeyRing) {
    this.keys = secretKeys.all.map((v) => Buffer.from(hkdfSync('sha256', v.secret.reveal(), Buffer.alloc(0), 'ids:profile-export-download-url', 32)));
  }

  sign(id: string, expires: number): string {
    return signature(this.keys[0]!, id, expires);
  }

  /** Whether `sig` signs exactly this id and expiry under a listed version; compared in constant time. */
  verify(id: string, expires: string, sig: string): boolean {
    if (!/^\d{1,12}$/.test(expires) || !/^[0-9a-f]{64}$/.test(sig)) return false;
    const presented = Buffer.from(sig, 'hex');
    return this.keys.some((key) => secretsEqual(Buffer.from(signature(key, id, Number(expires)), 'hex'), presented));
  }

  /** The link as PUBLIC_URL hands it out. */
  url(publicUrl: string, slug: string, id: string, expiresAt: Date): string {
    const expires = Math.floor(expiresAt.getTime() / 1000);
    return `${publicUrl}/c/${encodeURIComponent(slug)}/exports/${id}?expires=${expires}&sig=${this.sign(id, expires)}`;
  }
}

function signature(key: Buffer, id: string, expires: number): string {
  return createHmac('sha256', key).update(`${id}.${expires}`).digest('hex');
}
