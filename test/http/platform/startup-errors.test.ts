import { spawnService } from '../../support/process';
import { testEnv } from '../../support/config';
import { testAppDatabaseUrl, testDatabaseUrl } from '../../support/env';
import { freePort } from '../../support/redis-server';

describe('start-up errors a newcomer can act on', () => {
  it('names an unreachable PostgreSQL and how to start it, in one line, exit code 1', async () => {
    const port = await freePort();
    const proc = spawnService(testEnv({ MIGRATION_DATABASE_URL: `postgres://postgres:hunter2@127.0.0.1:${port}/identity` }));
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.lines).toHaveLength(1);
    expect(proc.lines[0]).toContain(`PostgreSQL is not reachable at postgres://postgres:***@127.0.0.1:${port}/identity`);
    expect(proc.lines[0]).toContain('pg_ctlcluster');
    expect(proc.lines[0]).not.toContain('hunter2');
  });

  it('names an unreachable application connection the same way', async () => {
    const port = await freePort();
    const proc = spawnService(testEnv({ DATABASE_URL: `postgres://ids_app:hunter2@127.0.0.1:${port}/identity` }));
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.lines).toHaveLength(1);
    expect(proc.lines[0]).toContain(`PostgreSQL is not reachable at postgres://ids_app:***@127.0.0.1:${port}/identity`);
    expect(proc.lines[0]).not.toContain('hunter2');
  });

  it('refuses to work through a role that row-level security would not bind', async () => {
    // The owner (here a superuser too) is what a newcomer might paste into DATABASE_URL.
    const proc = spawnService(testEnv({ DATABASE_URL: testDatabaseUrl() }));
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.lines).toHaveLength(1);
    expect(proc.lines[0]).toContain('DATABASE_URL connects as postgres, which is a superuser');
    expect(proc.lines[0]).toContain('owns the tables');
    expect(proc.lines[0]).toContain('ids_app');
  });

  it('refuses a platform connection that row-level security would bind, or that holds more than BYPASSRLS', async () => {
    const bound = spawnService(testEnv({ PLATFORM_DATABASE_URL: testAppDatabaseUrl() }));
    expect((await bound.exited).code).toBe(1);
    expect(bound.lines).toHaveLength(1);
    expect(bound.lines[0]).toContain('PLATFORM_DATABASE_URL connects as ids_app, which lacks BYPASSRLS');
    expect(bound.lines[0]).toContain('ids_platform');
    const owner = spawnService(testEnv({ PLATFORM_DATABASE_URL: testDatabaseUrl() }));
    expect((await owner.exited).code).toBe(1);
    expect(owner.lines).toHaveLength(1);
    expect(owner.lines[0]).toContain('PLATFORM_DATABASE_URL connects as postgres, which is a superuser');
    expect(owner.lines[0]).toContain('owns the tables');
  });

  it('names an unreachable Redis and how to start it, in one line, exit code 1', async () => {
    const port = await freePort();
    const proc = spawnService(testEnv({ REDIS_URL: `redis://127.0.0.1:${port}` }));
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.lines).toHaveLength(1);
    expect(proc.lines[0]).toContain(`Redis is not reachable at redis://127.0.0.1:${port}`);
    expect(proc.lines[0]).toContain(`redis-server --daemonize yes --bind 127.0.0.1 --port ${port} `);
  });

  it('reports every configuration problem at once and exits 1', async () => {
    const proc = spawnService(testEnv({ PORT: 'eighty', ROLE: 'everything', NODE_ENV: 'production', ADMIN_TOKEN: 'short' }));
    const { code } = await proc.exited;
    expect(code).toBe(1);
    const output = proc.lines.join('\n');
    expect(output).toContain('PORT');
    expect(output).toContain('ROLE');
    expect(output).toContain('ADMIN_TOKEN');
    expect(output).not.toMatch(/^\s+at /m);
  });

  it('says "PORT must be a number" for PORT=abc, in one line, exit code 1', async () => {
    const proc = spawnService(testEnv({ PORT: 'abc' }));
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.lines).toEqual(['invalid configuration:', '  - PORT must be a number (got "abc")']);
  });

  it('names what is wrong with SECRET_KEYS, never the secret, and exits 1', async () => {
    const secret = 'a-secret-that-must-never-be-printed-0123456789';
    const proc = spawnService(testEnv({ SECRET_KEYS: `v2:short-${secret.slice(0, 8)},v1:${secret},v1:${secret}` }));
    const { code } = await proc.exited;
    expect(code).toBe(1);
    const output = proc.lines.join('\n');
    expect(output).toContain('SECRET_KEYS: the secret of v2 must be at least 32 characters');
    expect(output).toContain('SECRET_KEYS: v1 is listed more than once');
    expect(output).not.toContain(secret.slice(0, 8));
  });
});
