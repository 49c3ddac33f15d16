import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { AccountSessionStore } from '../../../src/http/account/account-session.store';
import { FixedClock } from '../../../src/shared/clock';
import { TEST_REDIS_URL, testQueuePrefix } from '../../support/env';

const PREFIX = `${testQueuePrefix()}-account-store-${randomUUID().slice(0, 8)}:account-session:`;
const SETTINGS = { idleSeconds: 900, maxSeconds: 3600 };

/** AccountSessionStore against a real Redis, with the interleavings a busy server can produce made to happen. */
describe('AccountSessionStore', () => {
  let redis: Redis;
  const clock = new FixedClock(new Date());

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  const keyOf = (id: string) => `${PREFIX}${createHash('sha256').update(id).digest('hex')}`;
  const values = { customerId: randomUUID(), slug: 'acme', profileId: randomUUID(), region: 'EU' };

  /**
   * The same Redis, except that right after `touch` has read the entry, `between()` runs (a sign-out
   * of another request, on the plain store) before `touch` goes on to write.
   */
  function interleaved(between: () => Promise<void>): Redis {
    return new Proxy(redis, {
      get(target, property, receiver) {
        if (property !== 'get') return Reflect.get(target, property, receiver);
        return async (key: string) => {
          const raw = await target.get(key);
          await between();
          return raw;
        };
      },
    });
  }

  it('a sign-out landing between touch\'s read and its refresh stays signed out', async () => {
    const plain = new AccountSessionStore(redis, PREFIX, clock, SETTINGS);
    const { id } = await plain.create(values);
    const racing = new AccountSessionStore(interleaved(() => plain.delete(id)), PREFIX, clock, SETTINGS);
    clock.advance(60_000);
    expect(await racing.touch(id)).toBeNull();
    expect(await redis.exists(keyOf(id))).toBe(0);
    expect(await plain.touch(id)).toBeNull();
  });

  it('a touch without a race refreshes the idle deadline of the live entry', async () => {
    const store = new AccountSessionStore(redis, PREFIX, clock, SETTINGS);
    const { id, session } = await store.create(values);
    clock.advance(600_000);
    expect(await store.touch(id)).toEqual(session);
    const stored = JSON.parse((await redis.get(keyOf(id)))!) as { idleUntil: number };
    expect(stored.idleUntil).toBe(clock.now().getTime() + SETTINGS.idleSeconds * 1000);
    expect(await redis.pttl(keyOf(id))).toBeGreaterThan(600_000);
  });
});
