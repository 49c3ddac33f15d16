import { Cluster, Redis } from 'ioredis';

/** A connection to Redis: one server, or a Redis Cluster reached through one of its nodes. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: its URL and whether that URL names one node of a Redis Cluster. */
export interface RedisTarget {
  url: string;
  isCluster: boolean;
}

/** The connection settings the service varies per use (the producer fails fast, workers wait). */
export interface RedisClientOptions {
  lazyConnect?: boolean;
  enableOfflineQueue?: boolean;
  maxRetriesPerRequest: number | null;
}

/**
 * Opens (lazily or not) a connection to `target`. For a cluster, the URL's node is only the first
 * one asked: ioredis learns every node and slot from it (CLUSTER SLOTS) and follows MOVED
 * redirections; the URL's user, password and TLS (`rediss:`) apply to every node.
 */
export function createRedisClient(target: RedisTarget, options: RedisClientOptions): RedisClient {
  if (!target.isCluster) return new Redis(target.url, options);
  const url = new URL(target.url);
  const isTls = url.protocol === 'rediss:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Cluster([{ host, port: url.port === '' ? 6379 : Number(url.port) }], {
    ...(options.lazyConnect === undefined ? {} : { lazyConnect: options.lazyConnect }),
    ...(options.enableOfflineQueue === undefined ? {} : { enableOfflineQueue: options.enableOfflineQueue }),
    // Certificates name the host, not the address CLUSTER SLOTS reports: keep the name for TLS.
    ...(isTls ? { dnsLookup: (address: string, callback: (err: Error | null, address: string) => void) => callback(null, address) } : {}),
    redisOptions: {
      maxRetriesPerRequest: options.maxRetriesPerRequest,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(isTls ? { tls: { servername: host } } : {}),
    },
  });
}

/**
 * Closes `client` at once (pending replies are lost), without holding the process open afterwards.
 * ioredis's disconnect ends the socket and arms a timer (disconnectTimeout, 2 s) that only the
 * socket's 'close' clears; when the socket closed before (Redis went away and the client is waiting
 * to reconnect) no 'close' ever comes, and that timer alone kept a stopped service alive for 2 s
 * (ioredis#1247). Such a socket is told once more that it is closed, which clears the timer.
 */
export function disconnectRedis(client: RedisClient): void {
  const nodes: Redis[] = client instanceof Redis ? [client] : client.nodes();
  const closedBefore = nodes.map((node) => node.stream).filter((stream) => stream !== undefined && stream.destroyed);
  client.disconnect();
  for (const stream of closedBefore) stream.emit('close', false);
}
