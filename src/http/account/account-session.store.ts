import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/clock';
import type { RedisClient } from '../../shared/redis-client';

/**
 * What a privacy center session holds: whose profile it opens, at which customer, in which region,
 * and until when at the latest. Never the person's username or any value of theirs: the profile id
 * names them, and the pages read the rest from the region's database.
 */
export interface AccountSession {
  customerId: string;
  slug: string;
  profileId: string;
  /** The region holding the customer's data (the pages act there). */
  region: string;
  /** When the person signed in (epoch ms). */
  createdAt: number;
  /** The absolute end (epoch ms): ACCOUNT_SESSION_MAX_SECONDS after sign-in, however often it is used. */
  expiresAt: number;
}

export interface AccountSessionSettings {
  /** Idle timeout: a session unused this long is over (ACCOUNT_SESSION_IDLE_SECONDS). */
  idleSeconds: number;
  /** Absolute lifetime after sign-in (ACCOUNT_SESSION_MAX_SECONDS). */
  maxSeconds: number;
}

/** The stored entry: the session and the end of its idle period (epoch ms), moved on by each use. */
interface StoredSession extends AccountSession {
  idleUntil: number;
}

/** A session id as the cookie carries it: 256 random bits, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Privacy center sessions in Redis (the home region's, under `…:account-session:`), as the queue
 * board's sessions are kept (admin/admin-session.store.ts): the browser holds a random 256-bit id,
 * Redis only its SHA-256 (the id has full entropy, so the hash is useless to whoever reads Redis).
 * A session ends at the first of its idle deadline (extended on every use) and its absolute expiry;
 * both are checked against the service's clock, and Redis expires the entry at the same moment.
 */
export class AccountSessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keyPrefix: string,
    private readonly clock: Clock,
    private readonly settings: AccountSessionSettings,
  ) {}

  /** Begins a session for the profile; answers the id for the cookie and the session. */
  async create(values: Omit<AccountSession, 'createdAt' | 'expiresAt'>): Promise<{ id: string; session: AccountSession }> {
    const id = randomBytes(32).toString('base64url');
    const now = this.clock.now().getTime();
    const session: AccountSession = { ...values, createdAt: now, expiresAt: now + this.settings.maxSeconds * 1000 };
    await this.save(id, session, now);
    return { id, session };
  }

  /**
   * The live session of a cookie value, its idle deadline moved on (a use); null when unknown,
   * expired (idle or absolute) or malformed. An expired entry is removed at once. The refresh is
   * written only over an entry that still exists (SET … XX): a sign-out landing between the read and
   * the write is not undone, and the session it ended answers null here too.
   */
  async touch(id: string | undefined): Promise<AccountSession | null> {
    if (!id || !SESSION_ID.test(id)) return null;
    const raw = await this.redis.get(this.key(id));
    if (raw === null) return null;
    const { idleUntil, ...session } = JSON.parse(raw) as StoredSession;
    const now = this.clock.now().getTime();
    if (now >= idleUntil || now >= session.expiresAt) {
      await this.redis.del(this.key(id));
      return null;
    }
    return (await this.save(id, session, now, 'XX')) ? session : null;
  }

  /** Ends a session (sign-out); ending one twice is harmless. */
  async delete(id: string): Promise<void> {
    if (SESSION_ID.test(id)) await this.redis.del(this.key(id));
  }

  /** Writes the entry with its idle deadline; `XX`: only over one still there. Answers whether it was written. */
  private async save(id: string, session: AccountSession, now: number, condition?: 'XX'): Promise<boolean> {
    const idleUntil = Math.min(now + this.settings.idleSeconds * 1000, session.expiresAt);
    const value = JSON.stringify({ ...session, idleUntil } satisfies StoredSession);
    const ttlMs = Math.max(1, idleUntil - now);
    const written = condition ? await this.redis.set(this.key(id), value, 'PX', ttlMs, condition) : await this.redis.set(this.key(id), value, 'PX', ttlMs);
    return written === 'OK';
  }

  private key(id: string): string {
    return `${this.keyPrefix}${createHash('sha256').update(id, 'utf8').digest('hex')}`;
  }
}
