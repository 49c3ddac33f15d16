import { spawnService } from '../../support/process';
import { testEnv } from '../../support/config';
import { freePort } from '../../support/redis-server';

describe('start-up errors a newcomer can act on', () => {
  it('names an unreachable PostgreSQL and how to start it, in one line, exit code 1', async () => {
    const port = await freePort();
    const proc = spawnService(testEnv({ DATABASE_URL: `postgres://postgres:hunter2@127.0.0.1:${port}/identity` }));
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.lines).toHaveLength(1);
    expect(proc.lines[0]).toContain(`PostgreSQL is not reachable at postgres://postgres:***@127.0.0.1:${port}/identity`);
    expect(proc.lines[0]).toContain('pg_ctlcluster');
    expect(proc.lines[0]).not.toContain('hunter2');
  });

  it('names an unreachable Redis and how to start it, in one line, exit code 1', async () => {
    const port = await freePort();
    const proc = spawnService(testEnv({ REDIS_URL: `redis://127.0.0.1:${port}` }));
    const { code } = await proc.exited;
    expect(code).toBe(1);
    expect(proc.lines).toHaveLength(1);
    expect(proc.lines[0]).toContain(`Redis is not reachable at redis://127.0.0.1:${port}`);
    expect(proc.lines[0]).toContain('redis-server');
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
});
