import { randomBytes } from 'node:crypto';
import { App } from '../../../src/app';
import { parseMasterKeys } from '../../../src/config/master-keys';
import { customerContext, KeyProvider, KeyRotationService, LocalKeyProvider, RotationFailureReason } from '../../../src/keys';
import { createLogger } from '../../../src/shared/logger';
import { createTestCustomer, ownerSql, resetDatabase, startTestApp } from '../../support/app';

const kek = () => randomBytes(32).toString('base64');
const K0 = kek();
const K1 = kek();
const K2 = kek();
const provider = (text: string) => new LocalKeyProvider(parseMasterKeys(text).keys);
const BOTH = provider(`v2:${K2},v1:${K1}`);
const V2_ONLY = provider(`v2:${K2}`);
const V1_ONLY = provider(`v1:${K1}`);
const V0_ONLY = provider(`v0:${K0}`);

describe('KeyRotationService', () => {
  let app: App;
  let n = 0;

  beforeAll(async () => {
    app = await startTestApp({ MASTER_KEYS: `v2:${K2},v1:${K1}` });
  });
  afterAll(() => app.stop());
  beforeEach(() => resetDatabase());

  const rotation = (keys: KeyProvider = BOTH) => new KeyRotationService({ db: app.db, em: app.orm.em, provider: keys, audit: app.services.audit, log: createLogger('silent') });

  /** A customer whose data key is wrapped by `by` (or stored as `garbage`), as the owner writes it. */
  async function customerKey(by: KeyProvider, garbage = false): Promise<{ id: string; dataKey: Buffer }> {
    const { customer } = await createTestCustomer(app, `c${n++}`);
    const dataKey = randomBytes(32);
    const wrapped = await by.wrap(dataKey, customerContext(customer.id));
    await ownerSql('insert into keyring.customer_key (customer_id, kek_version, wrapped) values (?, ?, ?)', [customer.id, wrapped.version, garbage ? randomBytes(60) : wrapped.ciphertext]);
    return { id: customer.id, dataKey };
  }

  async function stored(id: string): Promise<{ kek_version: string; wrapped: Buffer; rewrapped_at: Date | null }> {
    return (await ownerSql('select kek_version, wrapped, rewrapped_at from keyring.customer_key where customer_id = ?', [id]))[0];
  }

  it('changes only the wrapping: each customer keeps its data key, now opened by v2 alone', async () => {
    const keys = [await customerKey(V1_ONLY), await customerKey(V1_ONLY), await customerKey(V1_ONLY)];
    const result = await rotation().rotate({ batchSize: 2 });
    expect(result).toMatchObject({ rewrapped: 3, skipped: 0, failed: 0, failures: [], batches: 2, isComplete: true, after: null });
    expect(result.versions).toMatchObject({ pendingKeys: 0, removableVersions: ['v1'] });
    for (const { id, dataKey } of keys) {
      const row = await stored(id);
      expect(row.kek_version).toBe('v2');
      expect(row.rewrapped_at).not.toBeNull();
      expect((await V2_ONLY.unwrap({ version: 'v2', ciphertext: row.wrapped }, customerContext(id))).equals(dataKey)).toBe(true);
    }
    // Nothing left: a second run reads nothing and changes nothing.
    expect(await rotation().rotate({ batchSize: 2 })).toMatchObject({ rewrapped: 0, batches: 0, isComplete: true });
  });

  it('leaves alone a key that changed between its read and its write (compare-and-set)', async () => {
    const racing = await customerKey(V1_ONLY);
    const other = await customerKey(V1_ONLY);
    // Another run re-wraps `racing` while this one is wrapping it.
    const theirs = await V2_ONLY.wrap(racing.dataKey, customerContext(racing.id));
    const slow: KeyProvider = {
      currentVersion: BOTH.currentVersion,
      versions: BOTH.versions,
      unwrap: (wrapped, context) => BOTH.unwrap(wrapped, context),
      async wrap(key, context) {
        if (context === customerContext(racing.id)) await ownerSql('update keyring.customer_key set kek_version = ?, wrapped = ? where customer_id = ?', ['v2', theirs.ciphertext, racing.id]);
        return BOTH.wrap(key, context);
      },
    };
    const result = await rotation(slow).rotate({ batchSize: 10 });
    expect(result).toMatchObject({ rewrapped: 1, skipped: 1, failed: 0 });
    expect((await stored(racing.id)).wrapped.equals(theirs.ciphertext)).toBe(true);
    expect((await stored(other.id)).kek_version).toBe('v2');
  });

  it('goes on past keys it cannot re-wrap, names each, and a bounded pass resumes from `after`', async () => {
    const good = [await customerKey(V1_ONLY), await customerKey(V1_ONLY)];
    const unconfigured = await customerKey(V0_ONLY);
    const altered = await customerKey(V1_ONLY, true);
    const first = await rotation().rotate({ batchSize: 1, maxBatches: 2 });
    expect(first).toMatchObject({ batches: 2, isComplete: false });
    expect(first.rewrapped + first.failed).toBe(2);
    const rest = await rotation().rotate({ batchSize: 1, after: first.after });
    expect(rest.isComplete).toBe(true);
    expect(first.rewrapped + rest.rewrapped).toBe(2);
    expect([...first.failures, ...rest.failures].sort((a, b) => a.version.localeCompare(b.version))).toEqual([
      { customerId: unconfigured.id, version: 'v0', reason: RotationFailureReason.VERSION_NOT_CONFIGURED },
      { customerId: altered.id, version: 'v1', reason: RotationFailureReason.UNWRAP_FAILED },
    ]);
    for (const { id } of good) expect((await stored(id)).kek_version).toBe('v2');
    expect(rest.versions).toMatchObject({ pendingKeys: 2, removableVersions: [], unconfiguredVersions: ['v0'] });
    // Each run is one platform audit event with its counts.
    const events: Array<{ details: { rewrapped: number; failed: number; isComplete: boolean } }> = await ownerSql(
      `select details from audit_outbox where action = 'data_keys.rotated' and customer_id is null order by id`,
    );
    expect(events.map((e) => e.details.rewrapped + e.details.failed)).toEqual([2, 2]);
    expect(events.map((e) => e.details.isComplete)).toEqual([false, true]);
  });

  it('ends the run when wrapping under the current version fails, keeping the batches already committed, and audits it as aborted', async () => {
    await customerKey(V1_ONLY);
    await customerKey(V1_ONLY);
    let wraps = 0;
    const kmsDown: KeyProvider = {
      currentVersion: BOTH.currentVersion,
      versions: BOTH.versions,
      unwrap: (wrapped, context) => BOTH.unwrap(wrapped, context),
      async wrap(key, context) {
        if (++wraps > 1) throw new Error('KMS unreachable');
        return BOTH.wrap(key, context);
      },
    };
    await expect(rotation(kmsDown).rotate({ batchSize: 1 })).rejects.toThrow('KMS unreachable');
    expect(await ownerSql('select kek_version as v, count(*)::int as n from keyring.customer_key group by 1 order by 1')).toEqual([
      { v: 'v1', n: 1 },
      { v: 'v2', n: 1 },
    ]);
    const [event] = await ownerSql(`select details from audit_outbox where action = 'data_keys.rotated'`);
    expect(event.details).toMatchObject({ rewrapped: 1, failed: 0, batches: 1, isComplete: false, aborted: true });
  });
});
