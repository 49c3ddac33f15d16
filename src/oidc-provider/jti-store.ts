import type { RedisClient } from '../shared/redis-client';

/** Remembers assertion ids (`jti`) until their assertion expires, so each is accepted once. */
export interface JtiStore {
  /** True the first time `key` is claimed within `ttlMs`; false when it was claimed already. */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
}

/**
 * In Redis: one `SET NX PX` per assertion, atomic across every instance of a region, and gone by
 * itself when the assertion could no longer be accepted anyway (its `exp`, at most five minutes
 * ahead), so no table, purge job or migration is needed for a value that lives minutes. Redis
 * unreachable makes the claim throw: the assertion is then refused, never accepted unchecked.
 */
export class RedisJtiStore implements JtiStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    const answer = await this.redis.set(`${this.prefix}${key}`, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
    return answer === 'OK';
  }
}
