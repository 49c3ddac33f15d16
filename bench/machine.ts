import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { TASKSET } from './proc';

/** What a run records about where it ran: versions, the machine, and how busy it was. */

const ROOT = join(__dirname, '..', '..');

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'missing';
  }
}

export async function describeMachine(adminUrl: string, redisUrl: string) {
  const db = new Client({ connectionString: adminUrl });
  await db.connect();
  const postgres = (await db.query<{ server_version: string }>('show server_version')).rows[0]!.server_version;
  await db.end();
  const redis = new Redis(redisUrl);
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
  redis.disconnect();
  const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  return {
    node: process.version,
    service: `${own.name}@${own.version}`,
    packages: Object.fromEntries(
      ['express', '@apollo/server', 'graphql', '@mikro-orm/core', 'pg', 'ioredis', 'bullmq', 'oidc-provider'].map((name) => [name, packageVersion(name)]),
    ),
    postgres,
    redis: redisVersion,
    kernel: release(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    pinned: TASKSET ? 'service on core 0, driver on core 1 (taskset)' : 'not pinned (no taskset)',
    loadavgAtStart: loadavg().map((n) => Number(n.toFixed(2))),
  };
}
