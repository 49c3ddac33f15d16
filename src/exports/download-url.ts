import { createHmac, hkdfSync } from 'node:crypto';
import { secretsEqual } from '../shared/secret-compare';

/**
 * Signed, expiring download links: `sig` is the hex HMAC-SHA256 of `"{id}.{expires}"` (expires in
 * unix seconds) under a key derived from SECRET_KEY for this purpose alone. The purpose string
 * must never change: every link handed out would stop working.
 */
export class DownloadSigner {
  private readonly key: Buffer;

  constructor(serverSecret: string) {
    this.key = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), 'ids:profile-export-download-url', 32));
  }

  sign(id: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${id}.${expires}`).digest('hex');
  }

  /** Whether `sig` signs exactly this id and expiry; compared in constant time. */
  verify(id: string, expires: string, sig: string): boolean {
    if (!/^\d{1,12}$/.test(expires) || !/^[0-9a-f]{64}$/.test(sig)) return false;
    return secretsEqual(Buffer.from(this.sign(id, Number(expires)), 'hex'), Buffer.from(sig, 'hex'));
  }

  /** The link as PUBLIC_URL hands it out. */
  url(publicUrl: string, slug: string, id: string, expiresAt: Date): string {
    const expires = Math.floor(expiresAt.getTime() / 1000);
    return `${publicUrl}/c/${encodeURIComponent(slug)}/exports/${id}?expires=${expires}&sig=${this.sign(id, expires)}`;
  }
}
