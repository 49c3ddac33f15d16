import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRedis } from '../../../src/composition/open-redis';
import { openDatabase } from '../../../src/db/open-database';
import { createLogger } from '../../../src/shared/logger';
import { resetDatabase } from '../../support/app';
import { testConfig, testEnv } from '../../support/config';
import { docExample } from '../../support/doc-examples';
import { fill, runShell, RunningShell, spawnShell } from '../../support/doc-run';
import { testDatabaseUrl, testQueuePrefix } from '../../support/env';
import { graphql } from '../../support/graphql';
import { ROOT } from '../../support/process';
import { freePort } from '../../support/redis-server';
import { regionDatabases } from '../../support/regions';
import { waitUntil } from '../../support/wait';

/**
 * The README's commands that start things (`npm start`, `npm run demo`, the multi-region start),
 * each run with bash as written, in a process group of its own, on free loopback ports and this
 * run's database and Redis prefix (in the environment, as a reader's shell would have them), and
 * stopped with the group. `npm ci` is not run: it would reinstall node_modules under every test
 * running beside this one; .ci/run runs it (test/unit/docs/doc-examples-coverage.test.ts).
 */
const readme = (id: string) => docExample('README.md', id);
const STARTUP_TIMEOUT_MS = 240_000;

/** The README line `npm ci && <command>  # …`: the command after npm ci. */
function afterNpmCi(line: string): string {
  const command = line.replace(/\s+#.*$/, '').trim();
  expect(command).toMatch(/^npm ci && /);
  return command.slice('npm ci && '.length);
}

async function isReady(url: string): Promise<boolean> {
  return (await fetch(`${url}/readyz`)).status === 200;
}

describe("the README's commands", () => {
  let running: RunningShell | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it("'start-services' shows the start commands the service's own hints print when PostgreSQL or Redis is down", async () => {
    const [postgresLine, redisLine] = readme('start-services').body.split('\n');
    const closed = await freePort();
    const hint = (err: unknown) => (err as Error).message.split('start it with: ')[1];
    const redisDown = await openRedis({ url: `redis://127.0.0.1:${closed}`, isCluster: false }).then(
      () => null,
      (err: unknown) => err,
    );
    // The hint names the configured port; the README shows the default one.
    expect(hint(redisDown)?.replace(`--port ${closed}`, '--port 6379')).toBe(redisLine);
    const config = testConfig({ MIGRATION_DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/ids_readme` });
    const postgresDown = await openDatabase(config, createLogger('silent')).then(
      () => null,
      (err: unknown) => err,
    );
    expect(hint(postgresDown)).toBe(postgresLine);
  });

  it("'two-commands' npm start: compiles and serves until stopped", async () => {
    const start = afterNpmCi(readme('two-commands').body.split('\n')[0]!);
    expect(start).toBe('npm start');
    const port = await freePort();
    running = spawnShell(start, { env: testEnv({ PORT: String(port), LOG_LEVEL: 'warn', QUEUE_PREFIX: `${testQueuePrefix()}-start` }) });
    await waitUntil(`'${start}' to answer /readyz`, () => isReady(`http://127.0.0.1:${port}`), { timeoutMs: STARTUP_TIMEOUT_MS, intervalMs: 250 });
  }, STARTUP_TIMEOUT_MS + 30_000);

  it("'npm-run-demo' starts the demo, which prints the RP's address, and that page answers", async () => {
    await resetDatabase();
    const command = afterNpmCi(readme('npm-run-demo').body.trim());
    const [port, awPort, rpPort] = [await freePort(), await freePort(), await freePort()];
    running = spawnShell(command, {
      env: testEnv({ PORT: String(port), DEMO_AW_PORT: String(awPort), DEMO_RP_PORT: String(rpPort), LOG_LEVEL: 'warn', QUEUE_PREFIX: `${testQueuePrefix()}-demo` }),
    });
    const rpUrl = `http://127.0.0.1:${rpPort}/`;
    await running.waitForOutput(rpUrl, STARTUP_TIMEOUT_MS);
    const page = await fetch(rpUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Sign in with Demo ID');
  }, STARTUP_TIMEOUT_MS + 30_000);

  it("'regions-start' serves three regions, and 'region-move' moves a customer from EU to NA", async () => {
    await resetDatabase();
    const { databases, drop } = await regionDatabases(['EU', 'NA', 'APAC']);
    try {
      // The README's database names become this run's copies of the migrated template.
      const command = fill(readme('regions-start').body, {
        '/identity_na': `/${new URL(databases[1]!.owner).pathname.slice(1)}`,
        '/identity_apac': `/${new URL(databases[2]!.owner).pathname.slice(1)}`,
      });
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      running = spawnShell(command, { env: testEnv({ PORT: String(port), PUBLIC_URL: url, LOG_LEVEL: 'warn', QUEUE_PREFIX: `${testQueuePrefix()}-regions` }) });
      await waitUntil('the three-region service to answer /readyz', () => isReady(url), { timeoutMs: STARTUP_TIMEOUT_MS, intervalMs: 250 });

      const created = await graphql<{ createCustomer: { customer: { id: string } } }>(
        url,
        'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }',
        { input: { slug: 'movable', name: 'Movable', verifyUrl: 'https://login.movable.example.com/verify', region: 'EU' } },
      );
      expect(created.errors).toBeUndefined();
      const customerId = created.data!.createCustomer.customer.id;

      const { lang, body } = readme('region-move');
      expect(lang).toBe('graphql');
      const [move, progress] = body.split('\n');
      const moved = await graphql<{ moveCustomerRegion: { id: string; state: string } }>(url, fill(move!, { '"…"': JSON.stringify(customerId) }));
      expect(moved.errors).toBeUndefined();
      type Move = { state: string; attempts: number; error: string | null; tables: Array<{ table: string; rows: number; sourceChecksum: string; targetChecksum: string }> };
      let last: Move | undefined;
      await waitUntil(
        'the move to be DONE',
        async () => {
          const answer = await graphql<{ customerRegionMove: Move }>(url, fill(progress!, { '"…"': JSON.stringify(moved.data!.moveCustomerRegion.id) }));
          expect(answer.errors).toBeUndefined();
          last = answer.data!.customerRegionMove;
          return last.state === 'DONE';
        },
        { timeoutMs: 30_000 },
      );
      expect(last!.error).toBeNull();
      expect(last!.tables.length).toBeGreaterThan(0);
      for (const table of last!.tables) expect(table.targetChecksum).toBe(table.sourceChecksum);
      const customer = await graphql<{ customer: { region: string } }>(url, 'query($id: ID!) { customer(id: $id) { region } }', { id: customerId });
      expect(customer.data!.customer.region).toBe('NA');
    } finally {
      await running?.stop();
      running = undefined;
      await drop();
    }
  }, STARTUP_TIMEOUT_MS + 60_000);

  it("'soak-command' names the soak configuration, which finds the soak test and reads SOAK_SECONDS", async () => {
    const command = readme('soak-command').body.replace(/\s+#.*$/, '').trim();
    expect(command).toMatch(/^SOAK_SECONDS=\d+ npx jest --config test\/soak\/jest\.config\.js$/);
    // Listing, not running: the soak takes ten minutes.
    const listed = await runShell(`${command} --listTests`, { env: { IDS_TEST_DATABASE_URL: testDatabaseUrl() } });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/test\/soak\/login\.soak\.ts/);
    expect(readFileSync(join(ROOT, 'test/soak/login.soak.ts'), 'utf8')).toContain('process.env.SOAK_SECONDS');
  }, 60_000);
});
