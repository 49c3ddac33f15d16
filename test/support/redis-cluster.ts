import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './redis-server';
import { waitUntil } from './wait';

const run = promisify(execFile);

export interface RedisClusterNodes {
  /** A URL of one node: what REDIS_URL names with REDIS_CLUSTER=true. */
  url: string;
  ports: number[];
  /** A plain connection to each node, for looking at the keys each one holds. */
  nodes(): Redis[];
  stop(): Promise<void>;
}

/**
 * A throw-away Redis Cluster of `size` masters on loopback ports (no replicas, no persistence),
 * each node a child process with its cluster state file in a temporary directory; `stop` kills them
 * and removes the directory.
 */
export async function startRedisCluster(size = 3): Promise<RedisClusterNodes> {
  const dir = await mkdtemp(join(tmpdir(), 'ids-redis-cluster-'));
  const children: ChildProcess[] = [];
  const clients: Redis[] = [];
  const ports: number[] = [];
  const stop = async () => {
    // A client already disconnected (a probe) is left alone: ioredis arms a 2 s timer on each
    // disconnect that only the socket's close clears, and a closed socket does not close again.
    for (const client of clients.splice(0)) if (client.status !== 'end') client.disconnect();
    await Promise.all(
      children.splice(0).map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i += 1) {
      const port = await freePort();
      ports.push(port);
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`)];
      children.push(spawn('redis-server', [...args, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir], { stdio: 'ignore' }));
    }
    const node = (port: number) => {
      const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      clients.push(client);
      return client;
    };
    for (const port of ports) {
      await waitUntil(`cluster node ${port} to answer PING`, async () => {
        const probe = node(port);
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG';
        } catch {
          return false;
        } finally {
          probe.disconnect();
        }
      }, { timeoutMs: 5000 });
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    const live = ports.map((port) => {
      const client = node(port);
      void client.connect().catch(() => undefined);
      return client;
    });
    // Every node must agree the slots are covered before a client is pointed at the cluster.
    await waitUntil('every node to report cluster_state:ok', async () => {
      const states = await Promise.all(live.map((client) => client.cluster('INFO').then(String, () => '')));
      return states.every((info) => info.includes('cluster_state:ok'));
    }, { timeoutMs: 15_000 });
    return { url: `redis://127.0.0.1:${ports[0]}`, ports, nodes: () => live, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
