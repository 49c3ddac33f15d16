import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEnv } from '../../support/config';
import { TEST_ADMIN_TOKEN } from '../../support/env';
import { graphql } from '../../support/graphql';
import { ensureStopped, MAIN, ServiceProcess, spawnService, TS_REGISTER } from '../../support/process';
import { waitUntil } from '../../support/wait';

/** A development start as a newcomer makes it: no ADMIN_TOKEN, info lines, the API role only (no workers to wait for). */
function developmentEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const { ADMIN_TOKEN: _unset, ...env } = testEnv({ NODE_ENV: 'development', LOG_LEVEL: 'info', ROLE: 'api' });
  return { ...env, ...overrides };
}

// Colours and pino-pretty's level and time prefix, so a pretty line can be read as text.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const messageOf = (line: string) => line.replace(ANSI, '').replace(/^\[[\d:.]+\] [A-Z]+: /, '');
const SUMMARY = [/^GraphQL API: http:\/\/127\.0\.0\.1:\d+\/graphql$/, /^OpenID endpoints: /, /^readiness: /, /^queue board: /, /^admin token \(development only/, /^next: /];

async function stop(proc: ServiceProcess | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => void ensureStopped(proc), 15_000);
  await proc.exited;
  clearTimeout(timer);
}

describe('start-up lines', () => {
  let proc: ServiceProcess | undefined;
  afterEach(async () => {
    await stop(proc);
    proc = undefined;
  });

  it('writes JSON to a pipe: where it listens, a working development admin token, and what to do next', async () => {
    proc = spawnService(developmentEnv());
    const next = await proc.waitForLog((entry) => typeof entry.msg === 'string' && entry.msg.startsWith('next: '));
    expect(next.level).toBe(30);
    const messages = proc.lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    const at = SUMMARY.map((pattern) => messages.findIndex((m) => pattern.test(m)));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    const url = /^GraphQL API: (http:\/\/127\.0\.0\.1:\d+)\/graphql$/.exec(messages[at[0]!]!)![1]!;
    expect(messages[at[2]!]).toBe(`readiness: ${url}/readyz`);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(messages[at[3]!]).toMatch(new RegExp(`^queue board: ${url}/admin/queues `));
    expect((await fetch(`${url}/admin/queues`, { redirect: 'manual' })).status).not.toBe(404);

    // The token shown is the one the service accepts as the platform owner's.
    const token = messages[at[4]!]!.split(': ').at(-1)!;
    const me = await graphql<{ me: { kind: string } }>(url, '{ me { kind } }', {}, token);
    expect(me.errors).toBeUndefined();
    expect(me.data?.me.kind).toBe('OPERATOR');
    expect((await graphql(url, '{ me { kind } }', {}, `${token}x`)).status).toBe(401);
  }, 60_000);

  it('never shows an ADMIN_TOKEN the operator set', async () => {
    proc = spawnService(developmentEnv({ ADMIN_TOKEN: TEST_ADMIN_TOKEN }));
    await proc.waitForLog((entry) => typeof entry.msg === 'string' && entry.msg.startsWith('next: '));
    const output = proc.lines.join('\n');
    expect(output).toContain('GraphQL API: ');
    expect(output).not.toContain('admin token');
    expect(output).not.toContain(TEST_ADMIN_TOKEN);
  }, 60_000);

  it('writes human-readable lines with LOG_FORMAT=pretty, colourless into a pipe', async () => {
    proc = spawnService(developmentEnv({ LOG_FORMAT: 'pretty' }));
    await waitUntil('the pretty "next:" line', () => proc!.lines.some((line) => line.includes('INFO: next: ')) || proc!.child.exitCode !== null, { timeoutMs: 30_000 });
    const summary = proc.lines.filter((line) => line.includes(' INFO: ')).map(messageOf);
    for (const pattern of SUMMARY) expect(summary.some((m) => pattern.test(m))).toBe(true);
    expect(proc.lines.every((line) => !line.startsWith('{'))).toBe(true);
    expect(proc.lines.join('\n')).not.toMatch(ANSI);
  }, 60_000);

  it('picks pretty, coloured lines by itself on a terminal in development (LOG_FORMAT=auto)', async () => {
    // util-linux `script` gives the service a pseudo-terminal as stdout; the shell it runs writes
    // its own pid (the service's, after exec) so the test can stop the service itself.
    const dir = mkdtempSync(join(tmpdir(), 'ids-tty-'));
    const pidFile = join(dir, 'pid');
    const command = `echo $$ > '${pidFile}'; exec '${process.execPath}' -r '${TS_REGISTER}' '${MAIN}'`;
    const child = spawn('script', ['-qefc', command, '/dev/null'], { env: { PATH: process.env.PATH ?? '', ...developmentEnv() }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitUntil('the "next:" line on the terminal', () => output.includes('next: ') || child.exitCode !== null, { timeoutMs: 30_000 });
      const lines = output.split(/\r?\n/).filter(Boolean);
      expect(output).toMatch(ANSI);
      const summary = lines.map(messageOf);
      for (const pattern of SUMMARY) expect(summary.some((m) => pattern.test(m))).toBe(true);
      expect(lines.some((line) => line.startsWith('{'))).toBe(false);
    } finally {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      if (child.exitCode === null) process.kill(pid, 'SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
