import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { serviceEnv } from './env';
import { createCustomer, profilePage, seedProfiles, singleProfile } from './graphql';
import { HttpClient } from './http-client';
import { idsOidcFlow, registerOidcClient, type IdsOidcClient } from './ids-oidc-flow';
import { closedLoop, openLoop, type LoadResult, type WindowHooks } from './load';
import { describeMachine } from './machine';
import { oidcFlow } from './oidc-flow';
import { associateFlow, openIdFlow } from './openid-flow';
import { DRIVER_CORE, SERVER_CORE, TASKSET, busyPercent, cpuMs, freePort, machineCpuTimes, peakRssMb, spawnPinnedNode, type PinnedProcess } from './proc';
import { printTable, type ScenarioResult } from './report';
import { DH_EXCHANGE_CPU_TARGET_MS, FIELD_ENCRYPTION_CPU_TARGET_MS, SCENARIOS, type Scenario } from './scenarios';
import { OIDC_BASELINE_ID, ratioToOidcC64, verdict } from './targets';
import { dhExchangeCpuMs } from './dh-exchange';
import { fieldEncryptionCpuMs } from './field-encryption';
import { preloadCounter, statStatementsCounter, statStatementsLoaded, type SqlCounter } from './sql-count';

/**
 * `npm run bench [-- --quick]` (issue #9; rows are judged against issue #15's targets, see
 * scenarios.ts and targets.ts). The driver (this process) runs on core 1; the service,
 * oidc-provider and the node:http ceiling each run as their own process on core 0. Every scenario
 * discards a warm-up, then measures a fixed window. The run creates and drops its own database and
 * Redis keys, binds 127.0.0.1 only, and stops every process it started.
 */

const ROOT = join(__dirname, '..', '..');
const QUICK = process.argv.includes('--quick');
/** `--only=<prefix>` runs just the scenarios whose id starts with it (e.g. `--only=associate`). */
const ONLY = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const WARMUP_MS = QUICK ? 1000 : 3000;
const WINDOW_MS = QUICK ? 3000 : 10000;
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Re-runs this script on the driver core unless it already runs there. */
function pinSelf(): boolean {
  if (!TASKSET || process.env.BENCH_PINNED) return false;
  const child = spawnSync(TASKSET, ['-c', String(DRIVER_CORE), process.execPath, __filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED: '1' },
  });
  process.exitCode = child.status ?? 1;
  return true;
}

interface Run {
  id: string;
  databaseUrl: string;
  queuePrefix: string;
  oidcPrefix: string;
  adminToken: string;
  sqlCountFile: string;
  processes: PinnedProcess[];
}

async function startProcesses(run: Run) {
  const servicePort = await freePort();
  const env = serviceEnv({
    databaseUrl: run.databaseUrl,
    redisUrl: REDIS_URL,
    queuePrefix: run.queuePrefix,
    port: servicePort,
    adminToken: run.adminToken,
    secretKey: randomBytes(32).toString('base64url'),
    role: 'api',
  });
  const service = spawnPinnedNode('service', join(ROOT, 'dist', 'src', 'main.js'), {
    ...env,
    NODE_OPTIONS: `--require ${join(__dirname, 'sql-counter.js')}`,
    BENCH_SQL_COUNT_FILE: run.sqlCountFile,
  });
  run.processes.push(service);
  const ceilingPort = await freePort();
  const ceiling = spawnPinnedNode('ceiling', join(__dirname, 'ceiling-server.js'), {}, [String(ceilingPort)]);
  run.processes.push(ceiling);
  const oidcPort = await freePort();
  const oidcSecret = randomBytes(24).toString('base64url');
  const oidc = spawnPinnedNode(
    'oidc-provider',
    join(__dirname, 'oidc-server.js'),
    { NODE_ENV: 'production', REDIS_URL, BENCH_OIDC_PREFIX: run.oidcPrefix, BENCH_OIDC_CLIENT_SECRET: oidcSecret },
    [String(oidcPort)],
  );
  run.processes.push(oidc);
  await Promise.all([service.waitFor('HTTP server listening', 60000), ceiling.waitFor('listening'), oidc.waitFor('listening')]);
  return {
    service: { proc: service, url: `http://127.0.0.1:${servicePort}` },
    ceiling: { proc: ceiling, url: `http://127.0.0.1:${ceilingPort}` },
    oidc: { proc: oidc, url: `http://127.0.0.1:${oidcPort}`, secret: oidcSecret },
  };
}

async function sqlCounter(run: Run, servicePid: number): Promise<SqlCounter & { close?: () => Promise<void> }> {
  return (await statStatementsLoaded(ADMIN_URL)) ? statStatementsCounter(run.databaseUrl) : preloadCounter(servicePid, run.sqlCountFile);
}

/** Readings around one measuring window: server CPU, SQL statements, peak RSS, how busy each core was. */
function windowReadings(pid: number, sql: SqlCounter | undefined) {
  const start = { cpu: 0, sql: 0, cores: machineCpuTimes() };
  const end = { cpu: 0, sql: 0, cores: machineCpuTimes() };
  const hooks: WindowHooks = {
    begin: async () => {
      start.sql = sql ? await sql.read() : 0;
      start.cores = machineCpuTimes();
      start.cpu = cpuMs(pid);
    },
    end: async () => {
      // CPU first and synchronously: the SQL reading waits on the service and takes a moment.
      end.cpu = cpuMs(pid);
      end.cores = machineCpuTimes();
      end.sql = sql ? await sql.read() : 0;
    },
  };
  const finish = (result: LoadResult): Partial<ScenarioResult> => ({
    load_result: result,
    serverCpuMsPerOp: result.completed ? (end.cpu - start.cpu) / result.completed : undefined,
    sqlPerOp: sql && result.completed ? (end.sql - start.sql) / result.completed : undefined,
    peakRssMb: peakRssMb(pid),
    coreBusyPercent: busyPercent(start.cores, end.cores),
  });
  return { hooks, finish };
}

async function main(): Promise<void> {
  if (pinSelf()) return;
  const id = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const databaseUrl = new URL(ADMIN_URL);
  databaseUrl.pathname = `/ids_bench_${id}`;
  const run: Run = {
    id,
    databaseUrl: databaseUrl.toString(),
    queuePrefix: `ids-bench-${id}`,
    oidcPrefix: `ids-bench-${id}-oidc:`,
    adminToken: randomBytes(32).toString('base64url'),
    sqlCountFile: join(tmpdir(), `ids-bench-${id}.sql-count`),
    processes: [],
  };
  const machine = await describeMachine(ADMIN_URL, REDIS_URL);
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database "ids_bench_${id}"`);
  process.stdout.write(`bench ${QUICK ? '--quick ' : ''}${ONLY ? `--only=${ONLY} ` : ''}run ${id}: warm-up ${WARMUP_MS} ms, window ${WINDOW_MS} ms, ${machine.pinned}\n`);
  const rows: ScenarioResult[] = [];
  let sqlMethod = 'none';
  /** The service's VmHWM after its last scenario: the peak RSS over the whole run. */
  let servicePeakRssMb: number | undefined;
  try {
    const { service, ceiling, oidc } = await startProcesses(run);
    const sql = await sqlCounter(run, service.proc.pid);
    sqlMethod = sql.method;
    const setupClient = new HttpClient();
    const login = await createCustomer(setupClient, service.url, run.adminToken, 'bench');
    const reads = await createCustomer(setupClient, service.url, run.adminToken, 'bench-reads');
    const selected = SCENARIOS.filter((s) => (!QUICK || s.quick) && (ONLY === undefined || s.id.startsWith(ONLY)));
    // The OpenID Connect rows' relying party, registered only when they run (other rows see the same database as before).
    const rp = selected.some((s) => s.kind === 'ids-oidc') ? await registerOidcClient(setupClient, service.url, run.adminToken, login.id) : undefined;
    setupClient.close();
    const profileIds = await seedProfiles(run.databaseUrl, reads.id, 1000, 2);
    // Let the freshly written rows be analysed like a long-running database's would be.
    const db = new Client({ connectionString: run.databaseUrl });
    await db.connect();
    await db.query('analyze');
    await db.end();

    for (const scenario of selected.filter((s) => s.kind !== 'worker')) {
      const row = await runScenario(scenario, { service, ceiling, oidc, sql, login, rp, profileIds, adminToken: run.adminToken });
      rows.push(row);
      process.stdout.write(`  ${row.title} ${row.load}: ${row.pending ?? `${row.load_result!.perSecond.toFixed(1)} ops/s`}\n`);
    }
    servicePeakRssMb = peakRssMb(service.proc.pid);
    await sql.close?.();
    // The worker scenarios run last, in their own process on the server core, against the same database.
    const workerRows = selected.filter((s) => s.kind === 'worker');
    if (workerRows.length > 0) {
      const measured = runWorkerScenarios(run);
      for (const scenario of workerRows) {
        const m = measured.find((r) => r.id === scenario.id);
        rows.push({ id: scenario.id, title: scenario.title, target: scenario.target, load: 'worker', ...(m ? { worker: m } : { pending: 'did not run' }) });
        process.stdout.write(`  ${scenario.title}: ${m ? `${m.operations} in ${m.seconds.toFixed(3)} s` : 'did not run'}\n`);
      }
    }
  } finally {
    for (const proc of run.processes.reverse()) await proc.stop();
    await admin.query(`drop database if exists "ids_bench_${id}" with (force)`).catch(() => undefined);
    await admin.end();
    // Queue and abuse keys carry the prefix in a hash tag (`{prefix}:…`, `{prefix:abuse}:…`), assertion ids bare.
    await deleteRedisKeys([`{${run.queuePrefix}*`, `${run.queuePrefix}:*`, `${run.oidcPrefix}*`]);
    rmSync(run.sqlCountFile, { force: true });
  }

  // Ratios to oidc-provider at the same concurrency, by row id: flows/s (higher is better for us) and CPU per flow.
  const ratios: Record<string, { title: string; load: string; flowsPerSecond: number; cpuPerFlow: number }> = {};
  for (const row of rows.filter((r) => r.id.startsWith('login-association-') || r.id.startsWith('login-oidc-'))) {
    const theirs = rows.find((r) => r.id === `oidc-provider-${row.load}`);
    if (!theirs?.load_result?.completed || !row.load_result?.completed) continue;
    ratios[row.id] = {
      title: row.title,
      load: row.load,
      flowsPerSecond: row.load_result.perSecond / theirs.load_result.perSecond,
      cpuPerFlow: (row.serverCpuMsPerOp ?? NaN) / (theirs.serverCpuMsPerOp ?? NaN),
    };
  }
  for (const row of rows) {
    const scenario = SCENARIOS.find((s) => s.id === row.id)!;
    row.verdict = verdict(scenario, row, { rows, servicePeakRssMb, quick: QUICK });
  }
  // Each row with a ratio target is divided by oidc-provider's c64 row of this run, whatever its own concurrency.
  const ratioRows = rows.filter((row) => SCENARIOS.find((s) => s.id === row.id)?.goals?.ratioToOidcC64AtLeast !== undefined);

  const table = printTable(rows);
  const dh = rows.some((r) => r.id.startsWith('associate-')) ? { default: dhExchangeCpuMs('default', 500), modp16: dhExchangeCpuMs('modp16', 50) } : undefined;
  const sealing = await fieldEncryptionCpuMs(2000);
  const notes = [
    `Encryption at rest of one login alone (in the driver process; seal at the postback, open at the return, keys in memory): ${sealing.toFixed(3)} ms CPU (target ≤${FIELD_ENCRYPTION_CPU_TARGET_MS} ms: ${sealing <= FIELD_ENCRYPTION_CPU_TARGET_MS ? 'met' : 'missed'}). The login rows' CPU per flow includes it.`,
    ...(dh
      ? [
          `Diffie-Hellman step of an associate alone (in the driver process): ${dh.default.toFixed(3)} ms CPU on the default group (target ≤${DH_EXCHANGE_CPU_TARGET_MS} ms: ${dh.default <= DH_EXCHANGE_CPU_TARGET_MS ? 'met' : 'missed'}), ${dh.modp16.toFixed(3)} ms on the 4096-bit modp16.`,
        ]
      : []),
    `SQL statements: ${sqlMethod}.`,
    `Server CPU: utime+stime of the serving process from /proc/<pid>/stat over the window, divided by operations completed in it.`,
    ...Object.values(ratios).map(
      (r) => `Ours (${r.title}) / oidc-provider at ${r.load}: ${r.flowsPerSecond.toFixed(2)}× the flows/s, ${r.cpuPerFlow.toFixed(2)}× the CPU per flow.`,
    ),
    ...(ratioRows.length > 0
      ? [
          `Flows/s over ${OIDC_BASELINE_ID} of this run (the ratio targets): ${ratioRows
            .map((row) => {
              const ratio = ratioToOidcC64(row, rows);
              return `${row.id} ${ratio === undefined ? 'not measured' : `${ratio.toFixed(2)}×`}`;
            })
            .join(', ')}.`,
        ]
      : []),
    `RSS MB: peak RSS (VmHWM) of the process under test up to the end of that row's window. The peak RSS target is judged on the service's VmHWM read after its last scenario of this run: ${servicePeakRssMb === undefined ? 'not measured' : `${servicePeakRssMb.toFixed(0)} MB`} (the worker scenarios run in their own process, not counted).`,
    ...(rows.some((r) => r.id.startsWith('graphql-page'))
      ? ['SQL per page is an upper bound: the count takes in statements of requests left in flight around the window (README, Performance).']
      : []),
    `Load average at start ${machine.loadavgAtStart.join(' ')}, at end ${loadavg().map((n) => n.toFixed(2)).join(' ')}; ${machine.cores} cores, ${machine.pinned}.`,
    `Node ${machine.node}, PostgreSQL ${machine.postgres}, Redis ${machine.redis}, oidc-provider ${machine.packages['oidc-provider']}.`,
  ];
  process.stdout.write(`\n${table}\n\n${notes.join('\n')}\n`);

  const resultsDir = join(ROOT, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}${QUICK ? '-quick' : ''}.json`);
  const json = { run: id, quick: QUICK, only: ONLY ?? null, dhExchangeCpuMs: dh ?? null, fieldEncryptionCpuMs: sealing, warmupMs: WARMUP_MS, windowMs: WINDOW_MS, machine, loadavgAtEnd: loadavg(), sqlMethod, ratios, servicePeakRssMb: servicePeakRssMb ?? null, rows };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`\nwrote ${file}\n`);
}

interface Targets {
  service: { proc: PinnedProcess; url: string };
  ceiling: { proc: PinnedProcess; url: string };
  oidc: { proc: PinnedProcess; url: string; secret: string };
  sql: SqlCounter;
  login: { apiKey: string };
  /** Registered when an OpenID Connect row runs. */
  rp: IdsOidcClient | undefined;
  profileIds: string[];
  adminToken: string;
}

async function runScenario(scenario: Scenario, t: Targets): Promise<ScenarioResult> {
  const base = { id: scenario.id, title: scenario.title, target: scenario.target };
  if (scenario.kind === 'pending') return { ...base, load: '—', pending: scenario.reason };
  if (scenario.kind === 'worker') return { ...base, load: 'worker', pending: 'runs in worker-scenarios.js' };
  // A fresh client per scenario: no socket idles across scenarios into a server's keep-alive timeout.
  const client = new HttpClient();
  try {
    const closed = async (proc: PinnedProcess, sql: SqlCounter | undefined, concurrency: number, flow: () => Promise<void>) => {
      const { hooks, finish } = windowReadings(proc.pid, sql);
      const result = await closedLoop({ concurrency, warmupMs: WARMUP_MS, windowMs: WINDOW_MS, client, hooks, flow });
      return { ...base, load: `c${concurrency}`, ...finish(result) };
    };
    const open = async (ratePerSecond: number, operation: () => Promise<void>) => {
      const { hooks, finish } = windowReadings(t.service.proc.pid, t.sql);
      const result = await openLoop({ ratePerSecond, warmupMs: WARMUP_MS, windowMs: WINDOW_MS, client, hooks, operation });
      return { ...base, load: `${ratePerSecond}/s`, ...finish(result) };
    };
    switch (scenario.kind) {
      case 'ceiling':
        return await closed(t.ceiling.proc, undefined, scenario.concurrency, async () => {
          const res = await client.request(`${t.ceiling.url}/`);
          if (res.status !== 200) throw new Error(`ceiling answered ${res.status}`);
        });
      case 'openid': {
        const flow = await openIdFlow({ client, baseUrl: t.service.url, slug: 'bench', apiKey: t.login.apiKey }, scenario.variant);
        return await closed(t.service.proc, t.sql, scenario.concurrency, flow);
      }
      case 'associate':
        return await closed(t.service.proc, t.sql, scenario.concurrency, associateFlow({ client, baseUrl: t.service.url, slug: 'bench', apiKey: t.login.apiKey }));
      case 'ids-oidc': {
        if (!t.rp) throw new Error('no OpenID Connect client registered');
        const flow = await idsOidcFlow({ client, baseUrl: t.service.url, slug: 'bench', apiKey: t.login.apiKey, rp: t.rp });
        return await closed(t.service.proc, t.sql, scenario.concurrency, flow);
      }
      case 'oidc':
        return await closed(t.oidc.proc, undefined, scenario.concurrency, oidcFlow(client, t.oidc.url, t.oidc.secret));
      case 'graphql-page':
        return await open(scenario.ratePerSecond, profilePage(client, t.service.url, t.adminToken, scenario.pageSize));
      case 'graphql-single':
        return await open(scenario.ratePerSecond, singleProfile(client, t.service.url, t.adminToken, t.profileIds));
    }
  } finally {
    client.close();
  }
}

/** Runs worker-scenarios.js pinned to the server core and reads its JSON lines. */
function runWorkerScenarios(run: Run): Array<{ id: string; operations: number; seconds: number; cpuMs: number }> {
  const script = join(ROOT, 'dist', 'bench', 'worker-scenarios.js');
  const args = [script, run.databaseUrl, REDIS_URL, run.queuePrefix, ...(QUICK ? ['--quick'] : [])];
  const output = TASKSET ? execFileSync(TASKSET, ['-c', String(SERVER_CORE), process.execPath, ...args]) : execFileSync(process.execPath, args);
  return output
    .toString('utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { id: string; operations: number; seconds: number; cpuMs: number });
}

async function deleteRedisKeys(patterns: string[]): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    for (const pattern of patterns) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
