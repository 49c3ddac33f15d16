import { randomUUID } from 'node:crypto';
import { startTestApp } from '../../support/app';
import { testQueuePrefix } from '../../support/env';

/** The queue board's queues share each region's Redis connection, listening on it: a stopped app leaves no listener behind. */
describe('queue board on stop', () => {
  it('closes the board’s queues, releasing their hold on the region’s connection', async () => {
    const app = await startTestApp({ ROLE: 'api', QUEUE_PREFIX: `${testQueuePrefix()}-board-close-${randomUUID()}` });
    // A BullMQ queue on a shared connection listens for its `ready` and `close`, until the queue is closed.
    expect(app.redis.listenerCount('ready')).toBeGreaterThan(0);
    await app.stop();
    expect(app.redis.listenerCount('ready')).toBe(0);
    expect(app.redis.listenerCount('close')).toBe(0);
  });
});
