import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { App } from '../../../src/app';
import { CustomerDocument, RotateCustomerApiKeyDocument, WebhookDeliveriesDocument } from '../../../clients/typescript/src';
import { startPublicTestApp, resetDatabase } from '../../support/app';
import { docExample, docExamples } from '../../support/doc-examples';
import { TEST_ADMIN_TOKEN, testQueuePrefix } from '../../support/env';
import { freePort } from '../../support/redis-server';
import { fullLogin } from '../../support/full-login';
import { sdk } from '../../support/sdk';
import { waitUntil } from '../../support/wait';

/**
 * clients/typescript/README.md as a reader uses it: its install commands build the package and
 * install it into a fresh project, every TypeScript example is compiled there against the installed
 * package (so a type error in the README fails), then run, in the README's order, against a live
 * service with IDS_URL and IDS_TOKEN set; each must print exactly its `// prints:` lines.
 */
const ROOT = join(__dirname, '..', '..', '..');
const DOC = 'clients/typescript/README.md';
const WORK = join(ROOT, 'test-output', 'sdk-readme');
const APP_DIR = join(WORK, 'my-app');
const LIBRARY = join(ROOT, 'clients/typescript');

/** The lines an example says it prints (`// prints: …`), in order. */
function promisedOutput(id: string): string[] {
  return docExample(DOC, id)
    .body.split('\n')
    .map((line) => /^\s*\/\/ prints: (.*)$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined);
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const result = spawnSync(command, args, { ...options, encoding: 'utf8', timeout: 180_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}${result.stderr}`);
  return result;
}

describe('clients/typescript/README.md examples against a live service', () => {
  let app: App;
  const children: ChildProcess[] = [];

  function runExample(id: string, env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = execFile(
        process.execPath,
        [join(APP_DIR, `${id}.mjs`)],
        { cwd: APP_DIR, encoding: 'utf8', timeout: 60_000, env: { ...process.env, IDS_URL: app.url!, IDS_TOKEN: TEST_ADMIN_TOKEN, ...env } },
        (_err, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }),
      );
    });
  }

  async function expectPrinted(id: string, env: Record<string, string> = {}) {
    const promised = promisedOutput(id);
    expect(promised.length).toBeGreaterThan(0);
    const res = await runExample(id, env);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout.trimEnd().split('\n')).toEqual(promised);
  }

  beforeAll(async () => {
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(APP_DIR, { recursive: true });
    symlinkSync(ROOT, join(WORK, 'identity-services'), 'dir');
    writeFileSync(join(APP_DIR, 'package.json'), JSON.stringify({ name: 'my-app', private: true }));
    // The reader's commands, as written (offline: the package's dependencies are already in the checkout).
    run('bash', ['-euo', 'pipefail', '-c', docExample(DOC, 'sdk-install').body], { cwd: WORK, env: { ...process.env, npm_config_offline: 'true' } });

    const tsExamples = docExamples(DOC).filter((e) => e.lang === 'ts');
    for (const example of tsExamples) writeFileSync(join(APP_DIR, `${example.id}.mts`), example.body);
    writeFileSync(
      join(APP_DIR, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: true, types: ['node'] }, include: ['*.mts'] }),
    );
    run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', APP_DIR], { cwd: APP_DIR });

    await resetDatabase();
    app = await startPublicTestApp({
      ROLE: 'all',
      QUEUE_PREFIX: `${testQueuePrefix()}-sdk-readme`,
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_POLL_INTERVAL_MS: '100',
      WEBHOOK_RETRY_SCHEDULE: '200ms,400ms',
      AUDIT_DRAIN_INTERVAL_MS: '100',
    });
  }, 240_000);

  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    }
    await app?.stop();
    // The link back to the checkout only served the install: no tree walk should meet it afterwards.
    rmSync(join(WORK, 'identity-services'), { force: true });
  });

  it('installs from the checkout, and the installed dist holds the library only (no examples)', () => {
    const dist = join(APP_DIR, 'node_modules/@identity-services/client/dist');
    const built = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? built(join(dir, e.name)) : [relative(dist, join(dir, e.name))]));
    const files = built(dist);
    expect(files).toContain('index.js');
    expect(files).toContain('index.d.ts');
    const sources = new Set(srcModules());
    expect(files.filter((f) => !sources.has(f.replace(/\.(js|js\.map|d\.ts|d\.ts\.map)$/, '')))).toEqual([]);
  });

  it('sdk-create-client: the admin token is the platform owner', () => expectPrinted('sdk-create-client'));

  it('sdk-customers: creates acme-shop', async () => {
    await expectPrinted('sdk-customers');
    const { customer } = await sdk(app).request(CustomerDocument, { slug: 'acme-shop' });
    expect(customer?.verifyUrl).toBe('https://login.example.com/openid/verify');
  });

  it('sdk-operators: a support token works until it is revoked', () => expectPrinted('sdk-operators'));

  it('sdk-identity-flow: after two real sign-ins', async () => {
    const { rotateCustomerApiKey } = await sdk(app).request(RotateCustomerApiKeyDocument, { id: (await acmeShop()).id });
    for (const username of ['alice', 'bob']) expect(await fullLogin(app.url!, 'acme-shop', rotateCustomerApiKey.apiKey, username)).toBe(true);
    await expectPrinted('sdk-identity-flow');
  });

  it('sdk-profiles', () => expectPrinted('sdk-profiles'));

  it('sdk-oauth: a field-scoped token reads emails and is refused the full names', () => expectPrinted('sdk-oauth'));

  it('sdk-audit: once the audit drain has stored the events', async () => {
    await waitUntil('alice’s profile update in the audit trail', async () => (await runExample('sdk-audit')).stdout.startsWith('true true'), { timeoutMs: 20_000, intervalMs: 250 });
    await expectPrinted('sdk-audit');
  });

  it('sdk-webhooks, sdk-webhooks-test, sdk-webhook-receiver: a signed test event is verified, a forged one refused', async () => {
    const port = await freePort();
    const hookUrl = `http://127.0.0.1:${port}/hooks`;
    const created = await runExample('sdk-webhooks', { WEBHOOK_URL: hookUrl });
    expect(created.stderr).toBe('');
    const secret = /^IDS_WEBHOOK_SECRET=(\S+)$/.exec(created.stdout.trim())?.[1];
    expect(secret).toBeDefined();

    const receiver = spawn(process.execPath, [join(APP_DIR, 'sdk-webhook-receiver.mjs')], { cwd: APP_DIR, env: { ...process.env, PORT: String(port), IDS_WEBHOOK_SECRET: secret! }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(receiver);
    let out = '';
    receiver.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    receiver.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    await waitUntil('the receiver to listen', async () => (await fetch(hookUrl, { method: 'POST', body: '{}' }).then((r) => r.status, () => 0)) === 400, { timeoutMs: 10_000, intervalMs: 100 });
    expect(out).toBe('refused: malformed\n');

    // A forged signature (right shape, wrong secret) is refused.
    const forged = await fetch(hookUrl, { method: 'POST', body: '{"type":"webhook.test"}', headers: { 'x-ids-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` } });
    expect(forged.status).toBe(400);

    await expectPrinted('sdk-webhooks-test');
    await waitUntil('the receiver to verify the test event', () => out.includes('verified'), { timeoutMs: 15_000 });
    expect(out.split('\n').filter(Boolean)).toEqual(['refused: malformed', 'refused: mismatch', ...promisedOutput('sdk-webhook-receiver')]);
    const { webhookDeliveries } = await sdk(app).request(WebhookDeliveriesDocument, { filter: { eventType: 'webhook.test' }, first: 10 });
    expect(webhookDeliveries.nodes.map((d) => d.eventType)).toEqual(['webhook.test']);
  });

  it('sdk-exports: the export is built and downloaded', () => expectPrinted('sdk-exports'));

  it('sdk-erasure: bob is erased', () => expectPrinted('sdk-erasure'));

  it('sdk-platform: retention, data keys, OpenID Connect clients and keys, regions', () => expectPrinted('sdk-platform'));

  it('sdk-errors: a taken slug and a malformed one', () => expectPrinted('sdk-errors'));

  it('sdk-pagination: walks every customer two at a time', () => expectPrinted('sdk-pagination'));

  it('sdk-retries: gives up after the configured attempts', () => expectPrinted('sdk-retries'));

  it('sdk-enums: string unions (a wrong literal does not compile)', () => expectPrinted('sdk-enums'));

  async function acmeShop() {
    const { customer } = await sdk(app).request(CustomerDocument, { slug: 'acme-shop' });
    return customer!;
  }
});

/** The library's modules, as dist names them (`index`, `generated/graphql`, …). */
function srcModules(): string[] {
  const src = join(LIBRARY, 'src');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [relative(src, join(dir, e.name)).replace(/\.ts$/, '')] : []));
  return walk(src);
}
