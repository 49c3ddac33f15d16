import { App } from '../../../src/app';
import { startTestApp } from '../../support/app';
import { startPrivateRedis } from '../../support/redis-server';

describe('readiness during an outage', () => {
  it('answers /readyz 503 naming Redis once its Redis goes away', async () => {
    const redis = await startPrivateRedis();
    let app: App | undefined;
    try {
      app = await startTestApp({ REDIS_URL: redis.url });
      expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
      await redis.stop();
      const res = await fetch(`${app.url}/readyz`);
      expect(res.status).toBe(503);
      const body = await res.text();
      expect(body).toMatch(/^redis: /m);
      expect(body).not.toMatch(/^postgres: /m);
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    } finally {
      await app?.stop();
      await redis.stop();
    }
  });
});
