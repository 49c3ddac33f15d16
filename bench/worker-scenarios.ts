/**
 * The worker scenarios of issue #9, run as their own process (pinned to the server core by run.ts):
 * the service's own code (audit drain, erasure) against the bench database, timed from inside.
 * Prints one JSON line per scenario: { id, operations, seconds, cpuMs, sqlStatements? }.
 *
 * Usage: node dist/bench/worker-scenarios.js <owner database url> <redis url> <queue prefix> [--quick]
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startApp } from '../src/app';
import { drainAuditOutbox } from '../src/audit/audit-drain.job';
import { runAs, ActorKind } from '../src/audit';
import { loadConfig } from '../src/config';
import { Region } from '../src/customers';
import { platformScope } from '../src/db/scope';
import { createLogger } from '../src/shared/logger';
import { PLATFORM } from '../src/shared/tenant';
import { appDatabaseUrl, benchMasterKeys } from './env';
import { queueSealedEvents } from './sealed-outbox';

const [ownerUrl, redisUrl, queuePrefix] = process.argv.slice(2);
const QUICK = process.argv.includes('--quick');

interface Measured {
  id: string;
  operations: number;
  seconds: number;
  cpuMs: number;
}

async function measure(id: string, operations: number, fn: () => Promise<unknown>): Promise<Measured> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  return { id, operations, seconds, cpuMs: (used.user + used.system) / 1000 };
}

/** A measured erasure that left rows behind would be a false figure: fail instead. */
async function expectNone(owner: Client, sql: string, params: unknown[], what: string): Promise<void> {
  const { rows } = await owner.query<{ n: number }>(sql, params);
  if (rows[0]!.n !== 0) throw new Error(`${what}: ${rows[0]!.n} rows remain`);
}

async function main(): Promise<void> {
  const owner = new Client({ connectionString: ownerUrl });
  await owner.connect();
  const { config } = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: appDatabaseUrl(ownerUrl!),
    PLATFORM_DATABASE_URL: appDatabaseUrl(ownerUrl!, 'ids_platform'),
    MIGRATION_DATABASE_URL: ownerUrl!,
    REDIS_URL: redisUrl!,
    QUEUE_PREFIX: `${queuePrefix}-workers`,
    ROLE: 'api',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN: 'b'.repeat(40),
    SECRET_KEY: 's'.repeat(40),
    MASTER_KEYS: benchMasterKeys(ownerUrl!),
  });
  const app = await startApp({ config, log: createLogger('warn') });
  const results: Measured[] = [];
  try {
    const platform = <T>(fn: () => Promise<T>) => runAs({ kind: ActorKind.SYSTEM, id: 'bench' }, () => app.db.run(platformScope('bench'), fn));
    const newCustomer = async (slug: string) =>
      (await platform(() => app.services.customers.createCustomer({ slug, name: slug, verifyUrl: 'https://aw.bench.example/verify', region: Region.EU }))).customer.id;

    // 1. Audit drain: N events queued in the outbox (each with personal values), chained by the worker's code.
    const events = QUICK ? 20_000 : 100_000;
    const drainCustomer = await newCustomer('bench-drain');
    // As the service writes them since encryption at rest: each person's values sealed under their key.
    await queueSealedEvents(owner, app, drainCustomer, events);
    await owner.query('analyze audit_outbox');
    results.push(await measure('audit-drain', events, () => drainAuditOutbox(app.db, app.services.audit, config.AUDIT_DRAIN_BATCH_SIZE)));

    // 2. Erasure of one person who has 10,000 audit events (and a profile and consent decisions).
    const personEvents = QUICK ? 2_000 : 10_000;
    const personCustomer = await newCustomer('bench-person');
    const username = `person-${randomUUID().slice(0, 8)}`;
    const hash = app.services.audit.subjectHash(personCustomer, username);
    const [{ id: profileId }] = (
      await owner.query(
        `insert into profile (id, customer_id, username, email, created_at, updated_at, last_seen_at) values (gen_random_uuid(), $1, $2, $3, now(), now(), now()) returning id`,
        [personCustomer, username, `${username}@example.com`],
      )
    ).rows as Array<{ id: string }>;
    await owner.query(
      `insert into audit_outbox (customer_id, occurred_at, actor_kind, actor_id, action, target_type, target_id, subject_hash, fields, payload, dispatched_at)
       select $1, now(), 'AW', 'bench', 'profile.updated', 'profile', $2, $3, '{email}',
              jsonb_build_object('salt', md5(random()::text), 'subject', $4::text, 'changes', jsonb_build_object('email', jsonb_build_object('old', 'a' || n, 'new', 'b' || n))), now()
       from generate_series(1, $5::int) n`,
      [personCustomer, profileId, hash, username, personEvents],
    );
    await drainAuditOutbox(app.db, app.services.audit, config.AUDIT_DRAIN_BATCH_SIZE);
    await owner.query('analyze');
    const request = await platform(() => app.services.erasure.requestProfileDeletion(profileId!, PLATFORM));
    results.push(await measure('erase-person', 1, () => runAs({ kind: ActorKind.SYSTEM, id: 'bench' }, () => app.services.erasurePurge.process(request.id))));
    await expectNone(owner, `select count(*)::int as n from audit_payload where subject_hash = $1`, [hash], 'erase-person left audit payloads');
    await expectNone(owner, `select count(*)::int as n from profile where id = $1`, [profileId], 'erase-person left the profile');

    // 3. Offboarding a customer with 20,000 profiles, each with a consent decision.
    const profiles = QUICK ? 4_000 : 20_000;
    const bigCustomer = await newCustomer('bench-offboard');
    await owner.query(
      `insert into profile (id, customer_id, username, email, created_at, updated_at, last_seen_at)
       select gen_random_uuid(), $1, 'u' || n, 'u' || n || '@example.com', now(), now(), now() from generate_series(1, $2::int) n`,
      [bigCustomer, profiles],
    );
    await owner.query(
      `insert into consent_decision (id, customer_id, username, realm, decision, granted_fields, is_remembered, decided_at)
       select gen_random_uuid(), $1, 'u' || n, 'https://rp.bench.example/', 'ALLOW', '{email}', true, now() from generate_series(1, $2::int) n`,
      [bigCustomer, profiles],
    );
    await owner.query('analyze');
    const offboarding = await platform(() => app.services.erasure.requestCustomerDataDeletion(bigCustomer, PLATFORM));
    results.push(await measure('erase-customer', profiles, () => runAs({ kind: ActorKind.SYSTEM, id: 'bench' }, () => app.services.erasurePurge.process(offboarding.id))));
    await expectNone(owner, `select count(*)::int as n from profile where customer_id = $1`, [bigCustomer], 'erase-customer left profiles');
    await expectNone(owner, `select count(*)::int as n from consent_decision where customer_id = $1`, [bigCustomer], 'erase-customer left consent decisions');
  } finally {
    await app.stop();
    await owner.end();
  }
  for (const result of results) process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`worker scenarios failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
