import 'reflect-metadata';
import { ActorKind, AuditService, runAs } from '../audit';
import { ConfigError, loadConfig } from '../config';
import { openPlatformDatabase, SERVICE_QUERY_TIMEOUT_MS } from '../db/open-database';
import { Database, platformScope } from '../db/scope';
import { createSqlPool } from '../db/sql-pool';
import { systemClock } from '../shared/clock';
import { createLogger } from '../shared/logger';
import { KeyRotationService, MAX_BATCH_SIZE, RotationProgress } from './key-rotation.service';
import { describeVersions, KeyVersionSummary } from './key-versions';
import { KeyRing } from './key-ring';
import { LocalKeyProvider } from './local-key-provider';

/**
 * `npm run keys:rotate`: re-wraps every customer key under the newest KEK of MASTER_KEYS, printing
 * progress per batch, then says which older versions can be removed from MASTER_KEYS. Runs on the
 * platform path (PLATFORM_DATABASE_URL) only. Exit code 0 when every key it read was re-wrapped,
 * 1 when some could not be (or the run failed), 2 for a wrong argument.
 *
 *   npm run keys:rotate [-- --batch-size 100] [-- --status]
 */
const USAGE = `usage: keys:rotate [--batch-size N (1-${MAX_BATCH_SIZE}, default 100)] [--status (only print where rotation stands)]`;

function parseArgs(args: readonly string[]): { batchSize: number; statusOnly: boolean } | null {
  let batchSize = 100;
  let statusOnly = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--status') statusOnly = true;
    else if (arg === '--batch-size' || arg.startsWith('--batch-size=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      batchSize = Number(value);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) return null;
    } else return null;
  }
  return { batchSize, statusOnly };
}

const say = (line: string) => process.stdout.write(`${line}\n`);

function printVersions(versions: KeyVersionSummary): void {
  for (const line of describeVersions(versions)) say(`  ${line}`);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const { config } = loadConfig(process.env);
  // The command speaks on stdout; its JSON log goes to stderr, warnings and worse unless LOG_LEVEL asks for more detail.
  const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, process.stderr);
  const orm = await openPlatformDatabase(config);
  // The audit writer's key ring (for events about a person, which a rotation never records): on the
  // platform path too, and it connects only if used.
  const keyPool = createSqlPool(config.PLATFORM_DATABASE_URL, 1, SERVICE_QUERY_TIMEOUT_MS, log);
  try {
    // Only platform units of work run here, so the platform pool serves as both of Database's pools.
    const db = new Database(orm, orm, log);
    const provider = new LocalKeyProvider(config.MASTER_KEYS);
    const keys = new KeyRing({ pool: keyPool, provider, clock: systemClock, cacheSeconds: 0 });
    const audit = new AuditService({ em: orm.em, clock: systemClock, secretKeys: config.SECRET_KEYS, keys });
    const rotation = new KeyRotationService({ db, em: orm.em, provider, audit, log });
    if (args.statusOnly) {
      const versions = await db.run(platformScope('keys:rotate --status'), () => rotation.versions());
      say(`current KEK version ${versions.currentVersion}; ${versions.pendingKeys} customer key(s) to re-wrap`);
      printVersions(versions);
      return 0;
    }
    say(`re-wrapping customer keys under ${provider.currentVersion}, ${args.batchSize} per batch`);
    const onBatch = (p: RotationProgress) =>
      say(`batch ${p.batch}: ${p.rewrapped} re-wrapped, ${p.skipped} skipped, ${p.failed} failed so far; ${p.versions.pendingKeys} key(s) left on older versions`);
    const result = await runAs({ kind: ActorKind.SYSTEM, id: 'keys:rotate' }, () => rotation.rotate({ batchSize: args.batchSize, onBatch }));
    say(`done: ${result.rewrapped} re-wrapped, ${result.skipped} skipped (changed meanwhile), ${result.failed} failed, in ${result.batches} batch(es)`);
    for (const f of result.failures) say(`  failed: customer ${f.customerId} (${f.version}): ${f.reason}`);
    printVersions(result.versions);
    return result.failed > 0 ? 1 : 0;
  } finally {
    await keyPool.end();
    await orm.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : `key rotation failed: ${err instanceof Error ? err.message : String(err)}`}\n`);
    process.exit(1);
  },
);
