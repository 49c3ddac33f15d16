import { randomBytes } from 'node:crypto';
import { App } from '../../../src/app';
import { LocalKeyProvider } from '../../../src/keys';
import { parseMasterKeys } from '../../../src/config/master-keys';
import { DataKeyVersionsDocument, ProfileByUsernameDocument, RotateDataKeysDocument, type RotateDataKeysMutation } from '../../../clients/typescript/src';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { testEnv } from '../../support/config';
import { fullLogin } from '../../support/full-login';
import { LoginTarget, startLoginLoad } from '../../support/login-load';
import { operatorToken } from '../../support/operators';
import { runScript } from '../../support/process';
import { sdk } from '../../support/sdk';
import { waitUntil } from '../../support/wait';

/** 32 random bytes in base64, as `openssl rand -base64 32` makes a MASTER_KEYS entry. */
const kek = () => randomBytes(32).toString('base64');
const K0 = kek();
const K1 = kek();
const K2 = kek();
const OLD = `v1:${K1}`;
const BOTH = `v2:${K2},v1:${K1}`;
const NEW = `v2:${K2}`;
const CUSTOMERS = 6;

interface Seeded extends LoginTarget {
  id: string;
}

/** Customers whose keys (and one person each, alice) are made by a service that knows only v1. */
async function seedUnderV1(): Promise<Seeded[]> {
  const app = await startPublicTestApp({ MASTER_KEYS: OLD });
  try {
    const seeded: Seeded[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const { customer, apiKey } = await createTestCustomer(app, `shop${i}`);
      expect(await fullLogin(app.url!, `shop${i}`, apiKey, 'alice')).toBe(true);
      seeded.push({ id: customer.id, slug: `shop${i}`, apiKey });
    }
    return seeded;
  } finally {
    await app.stop();
  }
}

async function keysByVersion(): Promise<Record<string, number>> {
  const rows: Array<{ v: string; n: number }> = await ownerSql('select kek_version as v, count(*)::int as n from keyring.customer_key group by 1 order by 1');
  return Object.fromEntries(rows.map((r) => [r.v, r.n]));
}

/** A service that knows only v2 signs people in and opens their stored profiles. */
async function expectReadableWithV2Only(customers: readonly Seeded[]): Promise<void> {
  const app = await startPublicTestApp({ MASTER_KEYS: NEW, KEY_CACHE_SECONDS: '0' });
  try {
    for (const c of customers) {
      expect({ slug: c.slug, returning: await fullLogin(app.url!, c.slug, c.apiKey, 'alice'), fresh: await fullLogin(app.url!, c.slug, c.apiKey, 'zoe') }).toEqual({
        slug: c.slug,
        returning: true,
        fresh: true,
      });
    }
    // Through the API's read path: found by keyed hash, opened with the person's key under the customer key.
    for (const c of customers) {
      for (const username of ['alice', 'zoe']) {
        const { profileByUsername } = await sdk(app).request(ProfileByUsernameDocument, { customerId: c.id, username });
        expect(profileByUsername).toMatchObject({ username, email: `${username}@example.org` });
      }
    }
  } finally {
    await app.stop();
  }
}

describe('rotating the key-encryption key', () => {
  let app: App | undefined;
  beforeEach(() => resetDatabase());
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  it('re-wraps every customer key under v2 through rotateDataKeys while sign-ins run, none failing, and v1 can then go', async () => {
    const customers = await seedUnderV1();
    expect(await keysByVersion()).toEqual({ v1: CUSTOMERS });
    // No key cache: every sign-in reads and unwraps its customer's key, old or re-wrapped.
    app = await startPublicTestApp({ MASTER_KEYS: BOTH, KEY_CACHE_SECONDS: '0' });
    const api = sdk(app);
    expect((await api.request(DataKeyVersionsDocument)).dataKeyVersions).toMatchObject({
      currentVersion: 'v2',
      configuredVersions: ['v2', 'v1'],
      versions: [
        { version: 'v2', customerKeys: 0, isConfigured: true, isCurrent: true },
        { version: 'v1', customerKeys: CUSTOMERS, isConfigured: true, isCurrent: false },
      ],
      removableVersions: [],
      pendingKeys: CUSTOMERS,
    });

    const load = startLoginLoad(app.url!, customers);
    let calls = 0;
    let after: string | null = null;
    let rewrapped = 0;
    try {
      for (;;) {
        // One batch of two keys per request, and a sign-in completed between requests: sign-ins run
        // against a keyring half old, half new.
        const before = load.completed;
        const { rotateDataKeys: step }: RotateDataKeysMutation = await api.request(RotateDataKeysDocument, { input: { batchSize: 2, maxBatches: 1, after } });
        calls++;
        rewrapped += step.rewrapped;
        expect({ skipped: step.skipped, failed: step.failed, failures: step.failures }).toEqual({ skipped: 0, failed: 0, failures: [] });
        if (step.isComplete) break;
        after = step.after;
        await waitUntil('a sign-in to complete during the rotation', () => load.completed > before || load.failures.length > 0);
      }
    } finally {
      await load.stop();
    }
    expect(load.failures).toEqual([]);
    expect(load.completed).toBeGreaterThanOrEqual(CUSTOMERS / 2);
    expect(rewrapped).toBe(CUSTOMERS);
    expect(await keysByVersion()).toEqual({ v2: CUSTOMERS });
    expect((await api.request(DataKeyVersionsDocument)).dataKeyVersions).toMatchObject({ removableVersions: ['v1'], unconfiguredVersions: [], pendingKeys: 0 });

    // One platform audit event per request, by the operator, with its counts.
    const events: Array<{ customer_id: string | null; actor_kind: string; target_id: string; details: { rewrapped: number; customerKeysByVersion: Record<string, number> } }> =
      await ownerSql(`select customer_id, actor_kind, target_id, details from audit_outbox where action = 'data_keys.rotated' order by id`);
    expect(events).toHaveLength(calls);
    expect(events.every((e) => e.customer_id === null && e.actor_kind === 'OPERATOR' && e.target_id === 'v2')).toBe(true);
    expect(events.reduce((sum, e) => sum + e.details.rewrapped, 0)).toBe(CUSTOMERS);
    expect(events.at(-1)!.details.customerKeysByVersion).toEqual({ v2: CUSTOMERS, v1: 0 });

    await app.stop();
    app = undefined;
    await expectReadableWithV2Only(customers);
  });

  it('npm run keys:rotate re-wraps under load and says v1 can go; a key of an unconfigured version fails it, named', async () => {
    const customers = await seedUnderV1();
    app = await startPublicTestApp({ MASTER_KEYS: BOTH, KEY_CACHE_SECONDS: '0' });
    const load = startLoginLoad(app.url!, customers);
    let run;
    try {
      run = await runScript('src/keys/rotate-keys.ts', ['--batch-size', '2'], testEnv({ MASTER_KEYS: BOTH }));
    } finally {
      await load.stop();
    }
    expect(load.failures).toEqual([]);
    expect(load.completed).toBeGreaterThan(0);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain('batch 1: 2 re-wrapped, 0 skipped, 0 failed so far; 4 key(s) left on older versions');
    expect(run.stdout).toContain(`done: ${CUSTOMERS} re-wrapped, 0 skipped (changed meanwhile), 0 failed, in 3 batch(es)`);
    expect(run.stdout).toContain('v2 (current) wraps 6 customer keys');
    expect(run.stdout).toContain('v1 wraps no key any more: remove it from MASTER_KEYS');
    expect(await keysByVersion()).toEqual({ v2: CUSTOMERS });
    const [event] = await ownerSql(`select actor_kind, actor_id, details from audit_outbox where action = 'data_keys.rotated'`);
    expect(event).toMatchObject({ actor_kind: 'SYSTEM', actor_id: 'keys:rotate', details: { rewrapped: CUSTOMERS, failed: 0, isComplete: true } });

    // A customer whose key is wrapped by v0, which nobody configured: reported, the others still done.
    const { customer: lost } = await createTestCustomer(app, 'lost');
    const v0 = new LocalKeyProvider(parseMasterKeys(`v0:${K0}`).keys);
    const wrapped = await v0.wrap(randomBytes(32), `customer:${lost.id}`);
    await ownerSql('insert into keyring.customer_key (customer_id, kek_version, wrapped) values (?, ?, ?)', [lost.id, wrapped.version, wrapped.ciphertext]);
    const { customer: late } = await createTestCustomer(app, 'late');
    const v1 = new LocalKeyProvider(parseMasterKeys(OLD).keys);
    const lateKey = await v1.wrap(randomBytes(32), `customer:${late.id}`);
    await ownerSql('insert into keyring.customer_key (customer_id, kek_version, wrapped) values (?, ?, ?)', [late.id, lateKey.version, lateKey.ciphertext]);

    const again = await runScript('src/keys/rotate-keys.ts', ['--batch-size=1'], testEnv({ MASTER_KEYS: BOTH }));
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('done: 1 re-wrapped, 0 skipped (changed meanwhile), 1 failed');
    expect(again.stdout).toContain(`failed: customer ${lost.id} (v0): VERSION_NOT_CONFIGURED`);
    expect(again.stdout).toContain("v0 wraps 1 customer key but is not in MASTER_KEYS: those customers' data cannot be read until it is added back");
    expect(await keysByVersion()).toEqual({ v0: 1, v2: CUSTOMERS + 1 });

    const status = await runScript('src/keys/rotate-keys.ts', ['--status'], testEnv({ MASTER_KEYS: BOTH }));
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('current KEK version v2; 1 customer key(s) to re-wrap');
    expect((await runScript('src/keys/rotate-keys.ts', ['--batch-size', '0'], testEnv({ MASTER_KEYS: BOTH }))).code).toBe(2);

    await app.stop();
    app = undefined;
    await expectReadableWithV2Only(customers);
  });

  it('is for the platform owner only, and answers bad input with BAD_USER_INPUT naming the field', async () => {
    app = await startPublicTestApp({ MASTER_KEYS: BOTH });
    const { customer } = await createTestCustomer(app, 'acme');
    for (const token of [await operatorToken(app, 'ADMIN', null), await operatorToken(app, 'OWNER', customer.id)]) {
      const versions = await sdk(app, token).execute(DataKeyVersionsDocument);
      expect(versions.errors?.map((e) => e.code)).toEqual(['FORBIDDEN']);
      const rotated = await sdk(app, token).execute(RotateDataKeysDocument, { input: {} });
      expect(rotated.errors?.map((e) => e.code)).toEqual(['FORBIDDEN']);
    }
    const api = sdk(app);
    for (const [input, field] of [
      [{ batchSize: 0 }, 'batchSize'],
      [{ batchSize: 1001 }, 'batchSize'],
      [{ maxBatches: 0 }, 'maxBatches'],
      [{ maxBatches: 101 }, 'maxBatches'],
      [{ after: 'not-a-customer-id' }, 'after'],
    ] as const) {
      const { errors } = await api.execute(RotateDataKeysDocument, { input });
      expect({ input, errors: errors?.map((e) => ({ code: e.code, field: 'field' in e ? e.field : null })) }).toEqual({ input, errors: [{ code: 'BAD_USER_INPUT', field }] });
    }
    expect(await ownerSql(`select 1 from audit_outbox where action = 'data_keys.rotated'`)).toEqual([]);
  });
});
