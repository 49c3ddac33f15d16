import { readFileSync } from 'node:fs';
import { resetDatabase } from '../support/app';
import { testEnv } from '../support/config';
import { TEST_ADMIN_TOKEN, testQueuePrefix } from '../support/env';
import { fullLogin } from '../support/full-login';
import { graphql } from '../support/graphql';
import { ensureStopped, ServiceProcess, spawnService } from '../support/process';
import { freePort } from '../support/redis-server';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 4);
const SAMPLE_EVERY_MS = Math.max(5_000, (SECONDS * 1000) / 20);

/** Resident memory of a process, from /proc (Linux), in MiB. */
function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return Math.round((kb / 1024) * 10) / 10;
}

/**
 * Full sign-ins (checkid, postback, return, consent, verification) against the compiled service in
 * a child process (ROLE=all, so the audit and webhook workers run too), for SOAK_SECONDS, printing
 * the service's memory over time. Memory must level off: the last third may not grow past the first
 * sample after warm-up by more than half.
 */
describe('soak: full login flows', () => {
  let service: ServiceProcess | undefined;
  afterAll(() => ensureStopped(service));

  it(`keeps memory flat over ${SECONDS} s of sign-ins`, async () => {
    await resetDatabase();
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    service = spawnService(
      testEnv({
        ROLE: 'all',
        PORT: String(port),
        PUBLIC_URL: baseUrl,
        LOG_LEVEL: 'warn',
        QUEUE_PREFIX: `${testQueuePrefix()}-soak`,
        // One client address drives everything here: lift the per-address limits out of the way.
        RATE_LIMIT_OPENID_PER_ADDRESS: '1000000',
        RATE_LIMIT_CONSENT_PER_ADDRESS: '1000000',
        RATE_LIMIT_POSTBACK_PER_ADDRESS: '1000000',
        RATE_LIMIT_POSTBACK_PER_API_KEY: '1000000',
      }),
    );
    for (let i = 0; !(await fetch(`${baseUrl}/readyz`).then((r) => r.ok).catch(() => false)); i++) {
      if (i > 300 || service.child.exitCode !== null) throw new Error(`service did not start:\n${service.lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const created = await graphql<{ createCustomer: { apiKey: string } }>(
      baseUrl,
      `mutation { createCustomer(input: { slug: "soak", name: "Soak", verifyUrl: "https://login.example.com/verify", region: EU }) { apiKey } }`,
      {},
      TEST_ADMIN_TOKEN,
    );
    const apiKey = created.data!.createCustomer.apiKey;

    const samples: Array<{ seconds: number; logins: number; rssMiB: number }> = [];
    const started = Date.now();
    let logins = 0;
    let failures = 0;
    const sampler = setInterval(() => samples.push({ seconds: Math.round((Date.now() - started) / 1000), logins, rssMiB: rssMiB(service!.child.pid!) }), SAMPLE_EVERY_MS);
    samples.push({ seconds: 0, logins: 0, rssMiB: rssMiB(service.child.pid!) });
    try {
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, lane) => {
          for (let i = 0; Date.now() - started < SECONDS * 1000; i++) {
            // A bounded set of users: returning users as well as new ones, as in real traffic.
            if (await fullLogin(baseUrl, 'soak', apiKey, `user-${lane}-${i % 500}`).catch(() => false)) logins++;
            else failures++;
          }
        }),
      );
    } finally {
      clearInterval(sampler);
    }
    samples.push({ seconds: Math.round((Date.now() - started) / 1000), logins, rssMiB: rssMiB(service.child.pid!) });
    console.log(
      [`soak: ${logins} sign-ins, ${failures} failed, ${CONCURRENCY} at a time, ${Math.round(logins / SECONDS)} per second`, 'seconds  logins  rss MiB']
        .concat(samples.map((s) => `${String(s.seconds).padStart(7)}  ${String(s.logins).padStart(6)}  ${s.rssMiB}`))
        .join('\n'),
    );
    expect(failures).toBe(0);
    const warm = samples[Math.min(2, samples.length - 1)]!.rssMiB;
    const late = samples.slice(Math.floor((samples.length * 2) / 3));
    for (const s of late) expect(s.rssMiB).toBeLessThan(warm * 1.5);
  });
});
