import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '../shared/redis-client';

/** What a queue board session holds: whose operator token it was begun with, where, and until when. */
export interface AdminSession {
  /** The operator token's id (never the token): re-checked on every request (admin-guard.ts). */
  tokenId: string;
  /** The region whose database knows the token. */
  region: string;
  expiresAt: number;
}

/**
 * Queue board sessions in Redis. The browser holds a random 256-bit id; Redis holds only its
 * SHA-256 under the key (the id has full entropy, so no key is needed to make the hash useless to
 * whoever reads Redis), with the token id and the expiry, and expires the entry itself.
 */
export class AdminSessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keyPrefix: string,
  ) {}

  /** Begins a session; answers the id for the cookie. */
  async create(session: AdminSession): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const ttlMs = session.expiresAt - Date.now();
    await this.redis.set(this.key(id), JSON.stringify(session), 'PX', Math.max(1, ttlMs));
    return id;
  }

  /** The live session of a cookie value, or null (unknown, expired, malformed). */
  async find(id: string | undefined): Promise<AdminSession | null> {
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
    const raw = await this.redis.get(this.key(id));
    if (raw === null) return null;
    const session = JSON.parse(raw) as AdminSession;
    return session.expiresAt > Date.now() ? session : null;
  }

  /** Ends a session (sign-out, a revoked token); ending one twice is harmless. */
  async delete(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  private key(id: string): string {
    return `${this.keyPrefix}${createHash('sha256').update(id, 'utf8').digest('hex')}`;
  }
}
