import { Cluster, Redis } from 'ioredis';
import { createRedisClient } from '../../../src/shared/redis-client';

// Lazy connections: nothing here opens a socket.
describe('createRedisClient', () => {
  it('opens one server for a plain URL', () => {
    const client = createRedisClient({ url: 'redis://127.0.0.1:6390/2', isCluster: false }, { lazyConnect: true, maxRetriesPerRequest: 1 });
    expect(client).toBeInstanceOf(Redis);
    expect((client as Redis).options).toMatchObject({ port: 6390, db: 2, maxRetriesPerRequest: 1 });
    client.disconnect();
  });

  it('for a cluster, starts from the URL\'s node and gives every node its user, password and TLS name', () => {
    const client = createRedisClient({ url: 'rediss://svc:p%40ss@cache.example.net:7001', isCluster: true }, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: null });
    expect(client).toBeInstanceOf(Cluster);
    const cluster = client as Cluster;
    expect(cluster.options).toMatchObject({ lazyConnect: true, enableOfflineQueue: false });
    expect(cluster.options.redisOptions).toEqual({ maxRetriesPerRequest: null, username: 'svc', password: 'p@ss', tls: { servername: 'cache.example.net' } });
    expect((cluster as unknown as { startupNodes: unknown[] }).startupNodes).toEqual([{ host: 'cache.example.net', port: 7001 }]);
    cluster.disconnect();
  });
});
