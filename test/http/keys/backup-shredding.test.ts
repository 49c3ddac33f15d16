import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from '../../../src/app';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { runAs } from '../../../src/audit/actor';
import { ActorKind } from '../../../src/audit';
import { DeletionStatus } from '../../../src/erasure';
import { fieldAad, KeyRing, LocalKeyProvider, openText } from '../../../src/keys';
import { platformScope } from '../../../src/db/scope';
import { createSqlPool } from '../../../src/db/sql-pool';
import { systemClock } from '../../../src/shared/clock';
import { createLogger } from '../../../src/shared/logger';
import { PLATFORM } from '../../../src/shared/tenant';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp, startTestApp } from '../../support/app';
import { testConfig } from '../../support/config';
import { testDatabaseUrl } from '../../support/env';
import { consentForm, postback, startLogin } from '../../support/flow';
import { npmOpenid } from '../../support/rp';

const ALICE = { username: 'alice.pleasance', email: 'alice.pleasance@example.com', fullname: 'Alice Pleasance Liddell', blob: 'wonderland-blob-1865' };
const BOB = { username: 'bob.dodgson', email: 'bob.dodgson@example.com', fullname: 'Charles Dodgson', blob: 'looking-glass-blob-1871' };

/**
 * Crypto-shredding reaches backups: a data backup taken before a person's erasure (pg_dump without
 * the keyring, as the README says) holds nothing of them in clear, and once they are erased nothing
 * of them in it can be opened with the keyring as it is now, while the audit chain still verifies.
 */
describe('a data backup taken before an erasure', () => {
  let app: App;
  let apiKey: string;
  let customerId: string;
  const dir = mkdtempSync(join(tmpdir(), 'ids-backup-'));
  const live = testDatabaseUrl();
  const restored = (() => {
    const url = new URL(live);
    url.pathname = `${url.pathname}_restored`;
    return url;
  })();
  const restoredName = restored.pathname.slice(1);
  // Without server notices ("database … does not exist, skipping"), which psql writes to the test run's stderr.
  const quiet = { env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' } };
  const psql = (url: string, sql: string) => execFileSync('psql', ['--no-psqlrc', '--quiet', '--set=ON_ERROR_STOP=1', '--dbname', url, '--command', sql], quiet);

  beforeAll(async () => {
    app = await startPublicTestApp();
  });
  afterAll(async () => {
    await app.stop();
    psql(live, `drop database if exists "${restoredName}" with (force)`);
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await resetDatabase();
    ({ apiKey, customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
  });

  async function signIn(person: typeof ALICE) {
    const login = await startLogin(app, 'acme', { extensions: [new npmOpenid.SimpleRegistration({ email: 'required', fullname: 'optional' })] });
    const fields = { request_id: login.requestId, api_key: apiKey, username: person.username, sreg_email: person.email, sreg_fullname: person.fullname, blob: person.blob };
    expect((await postback(app, 'acme', fields)).status).toBe(200);
    const form = consentForm((await login.browser.get(`${app.url}/c/acme/ows_return?request_id=${login.requestId}`)).body);
    const fields2: Array<[string, string]> = [['auth_request', form.authRequest], ['csrf', form.csrf], ['share', 'email'], ['decision', 'allow'], ['remember', 'true']];
    expect((await login.browser.postForm(`${app.url}/c/acme/ows_consent`, fields2)).status).toBe(302);
  }

  const values = (p: typeof ALICE) => [p.username, p.email, p.fullname, p.blob];

  it('holds nothing in clear, and after the erasure nothing of the person opens, while the audit chain verifies', async () => {
    await signIn(ALICE);
    await signIn(BOB);
    await drainAuditOutbox(app.db, app.services.audit, 1000);

    // The data backup, as the README takes it (custom format), and as text for a full search.
    const dump = join(dir, 'data.dump');
    execFileSync('pg_dump', ['--exclude-schema=keyring', '--format=custom', `--file=${dump}`, live]);
    const text = execFileSync('pg_restore', ['--file=-', dump], { maxBuffer: 64 << 20 }).toString('utf8');
    expect(text).toContain('consent_decision'); // the search reads the whole dump
    for (const value of [...values(ALICE), ...values(BOB)]) expect(text).not.toContain(value);
    const [alice] = await ownerSql(`select p.id, p.person_key_id from profile p where p.person_key_id = (select k.id from keyring.person_key k where k.profile_id = p.id) order by created_at limit 1`);

    const { id } = await app.db.run(platformScope('test: erase'), () => app.services.erasure.requestProfileDeletion(alice.id, PLATFORM));
    expect(await runAs({ kind: ActorKind.SYSTEM, id: 'erasure' }, () => app.services.erasurePurge.process(id))).toBe(DeletionStatus.COMPLETED);
    expect(await ownerSql('select id from keyring.person_key where id = ?', [alice.person_key_id])).toEqual([]);

    // Restore the pre-erasure data backup into a fresh database, with the keyring as it is now.
    psql(live, `drop database if exists "${restoredName}" with (force)`);
    psql(live, `create database "${restoredName}"`);
    execFileSync('pg_restore', ['--exit-on-error', `--dbname=${restored}`, dump]);
    const keyring = execFileSync('pg_dump', ['--schema=keyring', '--format=plain', live], { maxBuffer: 64 << 20 });
    execFileSync('psql', ['--no-psqlrc', '--quiet', '--set=ON_ERROR_STOP=1', `--dbname=${restored}`], { ...quiet, input: keyring });

    const pool = createSqlPool(restored.toString(), 2, 10_000, createLogger('silent'));
    try {
      const keys = new KeyRing({ pool, provider: new LocalKeyProvider(testConfig().MASTER_KEYS), clock: systemClock, cacheSeconds: 0 });
      const rows = (sql: string) => pool.query(sql).then((r) => r.rows);
      // Alice's rows came back with the backup, sealed, and her key is not in the keyring: nothing opens.
      const aliceRows = await rows(`select 'profile' as t, id::text, username from profile where person_key_id = '${alice.person_key_id}'
                                     union all select 'auth_request', id::text, username from auth_request where person_key_id = '${alice.person_key_id}'
                                     union all select 'consent_decision', id::text, username from consent_decision where person_key_id = '${alice.person_key_id}'`);
      expect(aliceRows.map((r) => r.t).sort()).toEqual(['auth_request', 'consent_decision', 'profile']);
      expect(await keys.personById(customerId, alice.person_key_id)).toBeNull();
      // Bob, not erased, opens as before: the restore itself is sound.
      const [bob] = await rows(`select id, person_key_id, email from profile where person_key_id <> '${alice.person_key_id}'`);
      const bobKey = await keys.personById(customerId, bob.person_key_id);
      expect(openText(bobKey!.key, fieldAad('profile', 'email', bob.id), bob.email)).toBe(BOB.email);
    } finally {
      await pool.end();
    }

    // The restored chain verifies: Alice's payloads, whose key is gone, count as erased.
    const restoredApp = await startTestApp({
      DATABASE_URL: withUser(restored, 'ids_app'),
      PLATFORM_DATABASE_URL: withUser(restored, 'ids_platform'),
      MIGRATION_DATABASE_URL: restored.toString(),
    });
    try {
      expect(await restoredApp.services.audit.verifyChain(customerId)).toMatchObject({ ok: true });
    } finally {
      await restoredApp.stop();
    }
  });
});

function withUser(url: URL, user: string): string {
  const copy = new URL(url);
  copy.username = user;
  copy.password = '';
  return copy.toString();
}
