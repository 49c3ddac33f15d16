import { RedisClient } from '../../shared/redis-client';
import { Logger } from '../../shared/logger';

/** A fixed-window count: how many hits the key has in its current window, and when that window ends. */
export interface Count {
  hits: number;
  resetInMs: number;
}

/**
 * Counters shared by every API instance through Redis, falling back to this process's memory while
 * Redis does not answer: a Redis outage must not stop logins, and limits per instance are still limits.
 */
export class CounterStore {
  private readonly memory = new Map<string, { hits: number; expiresAt: number }>();
  private lastSweep = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Adds one hit to `key` and returns the count of its window (`windowMs` long, starting at the first hit). */
  async increment(key: string, windowMs: number): Promise<Count> {
    try {
      const [hits, ttl] = (await this.scripts().idsIncrement(this.prefix + key, windowMs)) as [number, number];
      return { hits, resetInMs: ttl > 0 ? ttl : windowMs };
    } catch (err) {
      this.fellBack(err);
      const entry = this.live(key) ?? { hits: 0, expiresAt: this.now() + windowMs };
      entry.hits += 1;
      this.memory.set(key, entry);
      return { hits: entry.hits, resetInMs: entry.expiresAt - this.now() };
    }
  }

  /**
   * One round trip for "refused while `lockKey` is set, else counted": answers how long `lockKey`
   * still lives (and counts nothing) when it is set, here or in Redis; else adds one hit to `key`
   * like `increment`.
   */
  async incrementUnlessSet(lockKey: string, key: string, windowMs: number): Promise<{ lockedMs: number } | Count> {
    const local = this.live(lockKey);
    if (local) return { lockedMs: local.expiresAt - this.now() };
    try {
      const [hits, ttl] = (await this.scripts().idsIncrementUnlessSet(this.prefix + lockKey, this.prefix + key, windowMs)) as [number, number];
      if (hits < 0) return { lockedMs: ttl };
      return { hits, resetInMs: ttl > 0 ? ttl : windowMs };
    } catch (err) {
      this.fellBack(err);
      return this.increment(key, windowMs);
    }
  }

  /** Sets `key` for `ttlMs` (a lockout). */
  async set(key: string, ttlMs: number): Promise<void> {
    this.memory.set(key, { hits: 1, expiresAt: this.now() + ttlMs });
    try {
      await this.redis.set(this.prefix + key, '1', 'PX', ttlMs);
    } catch (err) {
      this.fellBack(err);
    }
  }

  /** How long `key` still lives, in ms; 0 when it is not set. Checks this process's memory too, so a lockout set during an outage holds. */
  async remainingMs(key: string): Promise<number> {
    const local = this.live(key);
    const localMs = local ? local.expiresAt - this.now() : 0;
    try {
      const ttl = await this.redis.pttl(this.prefix + key);
      return Math.max(ttl > 0 ? ttl : 0, localMs);
    } catch (err) {
      this.fellBack(err);
      return localMs;
    }
  }

  private live(key: string): { hits: number; expiresAt: number } | undefined {
    const now = this.now();
    if (now - this.lastSweep > 10_000) {
      this.lastSweep = now;
      for (const [k, v] of this.memory) if (v.expiresAt <= now) this.memory.delete(k);
    }
    const entry = this.memory.get(key);
    return entry && entry.expiresAt > now ? entry : undefined;
  }

  /** The scripts, sent once per connection and then called by digest (EVALSHA). */
  private scripts(): ScriptedRedis {
    const redis = this.redis as unknown as ScriptedRedis;
    if (typeof redis.idsIncrement !== 'function') {
      this.redis.defineCommand('idsIncrement', { numberOfKeys: 1, lua: INCREMENT });
      this.redis.defineCommand('idsIncrementUnlessSet', { numberOfKeys: 2, lua: INCREMENT_UNLESS_SET });
    }
    return redis;
  }

  private fellBack(err: unknown): void {
    this.log.debug({ err: (err as Error).message }, 'abuse counters: Redis unavailable, counting in memory');
  }
}

/** INCR with the window set on the first hit, atomically (a crash between the two would leave a counter that never expires). */
interface ScriptedRedis {
  idsIncrement(key: string, windowMs: number): Promise<unknown>;
  idsIncrementUnlessSet(lockKey: string, key: string, windowMs: number): Promise<unknown>;
}

/** KEYS[1] set: {-1, its remaining ms}; else INCREMENT on KEYS[2]. */
const INCREMENT_UNLESS_SET = `
local lock = redis.call('PTTL', KEYS[1])
if lock > 0 then return {-1, lock} end
local n = redis.call('INCR', KEYS[2])
if n == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[2])}
`;

const INCREMENT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
`;
