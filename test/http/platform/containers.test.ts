import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { App } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { docExample } from '../../support/doc-examples';
import { startPublicTestApp } from '../../support/app';
import { testQueuePrefix } from '../../support/env';
import { freePort } from '../../support/redis-server';
import { ROOT } from '../../support/process';

const run = promisify(execFile);

interface ComposeService {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  ports?: string[];
  volumes?: string[];
}

const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
/** The runtime stage: everything after the last FROM. */
const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

/** Whether this machine has Docker Compose (it is never required: without it, the checks are static). */
function hasDockerCompose(): boolean {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Compose's interpolation of `${VAR}`, `${VAR:-default}` and `${VAR:?message}` (which fails when VAR is unset or empty). */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::([?-])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    const set = env[name];
    if (set !== undefined && set !== '') return set;
    if (op === '-') return arg ?? '';
    if (op === '?') throw new Error(`compose needs ${name}: ${arg}`);
    return '';
  });
}

/** Runs the README's `.env` block in an empty directory and reads back the file it writes. */
async function envFromReadme(): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'ids-compose-env-'));
  try {
    await run('bash', ['-euo', 'pipefail', '-c', docExample('README.md', 'docker-compose-env').body], { cwd: dir });
    const lines = readFileSync(join(dir, '.env'), 'utf8').split('\n').filter((l) => l.trim() !== '');
    return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('containers (README, Containers)', () => {
  it('the .env the README writes gives compose every secret it asks for, and each role\'s environment starts the service in production', async () => {
    const env = await envFromReadme();
    expect(Object.keys(env).sort()).toEqual(['ADMIN_TOKEN', 'IDS_APP_PASSWORD', 'IDS_PLATFORM_PASSWORD', 'MASTER_KEYS', 'POSTGRES_PASSWORD', 'SECRET_KEY']);
    // A second run writes other secrets: nothing is a copied constant.
    expect((await envFromReadme()).SECRET_KEY).not.toBe(env.SECRET_KEY);
    for (const name of ['api', 'worker']) {
      const raw = compose.services[name]!.environment!;
      const resolved = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, interpolate(String(v), env)]));
      expect(resolved).toMatchObject({ NODE_ENV: 'production', ROLE: name, REDIS_URL: 'redis://redis:6379' });
      expect(new URL(resolved.DATABASE_URL!).username).toBe('ids_app');
      expect(new URL(resolved.PLATFORM_DATABASE_URL!).username).toBe('ids_platform');
      expect(new URL(resolved.MIGRATION_DATABASE_URL!).username).toBe('postgres');
      // The production checks (SECRET_KEY, MASTER_KEYS, ADMIN_TOKEN) pass on exactly this environment.
      const { config } = loadConfig(resolved);
      expect(config.ROLE).toBe(name);
    }
    // Without the .env, compose refuses rather than starting with empty secrets.
    expect(() => interpolate(compose.services.api!.environment!.SECRET_KEY!, {})).toThrow('compose needs SECRET_KEY');
  });

  it('compose.yaml runs PostgreSQL, Redis, the API and the worker, each waiting on what it needs', async () => {
    const { services } = compose;
    expect(Object.keys(services).sort()).toEqual(['api', 'postgres', 'redis', 'worker']);
    expect(services.api!.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(services.worker!.depends_on).toEqual({ api: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(services.postgres!.healthcheck!.test).toEqual(expect.arrayContaining([expect.stringContaining('pg_isready')]));
    expect(services.redis!.healthcheck!.test).toEqual(['CMD', 'redis-cli', 'ping']);
    // Published on the host's loopback only.
    expect(services.api!.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(services.worker!.ports).toBeUndefined();
    for (const volume of services.postgres!.volumes!.filter((v) => v.startsWith('./'))) expect(existsSync(join(ROOT, volume.slice(2).split(':')[0]!))).toBe(true);
    if (hasDockerCompose()) {
      const env = await envFromReadme();
      await run('docker', ['compose', '-f', join(ROOT, 'compose.yaml'), 'config', '-q'], { env: { ...process.env, ...env } });
    }
  });

  it('the Dockerfile builds in a stage of its own and runs production dependencies only, as a non-root user, the built entry point', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^RUN npm ci --no-audit --no-fund$/m);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(runtimeStage).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(runtimeStage).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    const users = [...runtimeStage.matchAll(/^USER (\S+)$/gm)].map((m) => m[1]);
    expect(users).toEqual(['node']);
    // USER comes before CMD, so the service never runs as root.
    expect(runtimeStage.indexOf('\nUSER node')).toBeLessThan(runtimeStage.indexOf('\nCMD '));
    expect(runtimeStage).toMatch(/^CMD \["node", "dist\/src\/main\.js"\]$/m);
    // `npm run build` compiles src/main.ts to that path.
    expect(existsSync(join(ROOT, 'src', 'main.ts'))).toBe(true);
    expect(JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')).compilerOptions.rootDir).toBe('.');
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.env', 'node_modules', '.git']));
  });

  it('the build stage copies every file `npm run build` compiles (an import from outside src/ would break the image)', () => {
    const buildStage = dockerfile.slice(0, dockerfile.lastIndexOf('\nFROM '));
    const copied = [...buildStage.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/)).map((path) => path.replace(/\/$/, ''));
    const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const compiled = ts
      .createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noEmit: true, noResolve: false, types: [] } })
      .getSourceFiles()
      .map((file) => relative(ROOT, file.fileName))
      .filter((file) => !file.startsWith('node_modules/') && !file.startsWith('..'));
    expect(compiled).toContain('src/main.ts');
    const missing = compiled.filter((file) => !copied.some((path) => file === path || file.startsWith(`${path}/`)));
    expect(missing).toEqual([]);
  });

  it('the README\'s compose commands name only files that exist', () => {
    const block = docExample('README.md', 'docker-compose-up').body;
    const commands = block.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l !== '');
    expect(commands.every((c) => c.startsWith('docker compose '))).toBe(true);
    expect(commands.map((c) => c.split(/\s+/)[2])).toEqual(['config', 'up', 'ps', 'logs']);
    for (const service of block.match(/logs -f (.*)$/m)![1]!.split(/\s+/)) expect(Object.keys(compose.services)).toContain(service);
    for (const file of ['compose.yaml', 'Dockerfile', '.dockerignore', 'docker/postgres-roles.sh']) expect(existsSync(join(ROOT, file))).toBe(true);
  });

  describe('the image\'s HEALTHCHECK command', () => {
    let app: App;
    const healthcheck = JSON.parse(/HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];

    beforeAll(async () => {
      app = await startPublicTestApp({ QUEUE_PREFIX: `${testQueuePrefix()}-containers` });
    });
    afterAll(() => app.stop());

    it('passes while /readyz answers and fails where nothing listens', async () => {
      const [command, ...args] = healthcheck;
      expect(command).toBe('node');
      const port = new URL(app.url!).port;
      await expect(run(command!, args, { env: { ...process.env, PORT: port } })).resolves.toBeDefined();
      await expect(run(command!, args, { env: { ...process.env, PORT: String(await freePort()) } })).rejects.toMatchObject({ code: 1 });
    });
  });
});
