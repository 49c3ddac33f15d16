import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { App } from '../../../src/app';
import { ActorKind, runAs } from '../../../src/audit';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { DeletionStatus } from '../../../src/erasure';
import { buildProfileExport } from '../../../src/exports/build-profile-export.job';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { enablePrivacyCenter, sameOrigin, signInToAccount } from '../../support/account';
import { accountPage, cellsOf, csrfOf, postAccountForm, privacyRequestRows } from '../../support/account-pages';
import { TEST_REDIS_URL, testQueuePrefix } from '../../support/env';
import { Browser } from '../../support/flow';
import { signIn } from '../../support/sign-ins';

const PREFIX = `${testQueuePrefix()}-account-actions-${randomUUID().slice(0, 8)}`;
const PER_PROFILE = 6;
const PER_ADDRESS = 10;

/** Each action of the privacy center (issue 22) over HTTP: what it changes, and that it changes nothing when refused. */
describe('privacy center actions', () => {
  let app: App;
  let redis: Redis;
  let apiKey: string;
  let customerId: string;

  beforeAll(async () => {
    app = await startPublicTestApp({
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      QUEUE_PREFIX: PREFIX,
      RATE_LIMIT_ACCOUNT_SIGN_IN_PER_ADDRESS: '1000',
      RATE_LIMIT_ACCOUNT_REQUESTS_PER_PROFILE: String(PER_PROFILE),
      RATE_LIMIT_ACCOUNT_REQUESTS_PER_ADDRESS: String(PER_ADDRESS),
    });
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await app?.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
    const created = await createTestCustomer(app, 'acme');
    apiKey = created.apiKey;
    customerId = created.customer.id;
    await enablePrivacyCenter(app, 'acme', { editableFields: ['fullname', 'nickname'] });
    // Every test posts from one address: start each with fresh counters.
    const counters = await redis.keys(`*${PREFIX}*:rate:account_requests*`);
    if (counters.length > 0) await redis.del(...counters);
  });

  const signedIn = (username = 'alice', fields: Record<string, string> = { sreg_fullname: 'Alice Example', sreg_email: 'alice@example.org' }) =>
    signInToAccount(app, 'acme', apiKey, username, fields).then((r) => r.browser);
  const profileOf = (username: string) => app.db.forSlug('acme', () => app.services.profiles.getByUsername(customerId, username, { kind: 'customer', customerId }));
  const fullnameOf = async (username: string) => (await profileOf(username))?.fullname;

  it('corrects an editable field: the profile changes, audited as the data subject, recorded as a completed RECTIFICATION', async () => {
    const browser = await signedIn();
    const answer = await postAccountForm(app, browser, '/profile', [['fullname', 'Alice Corrected'], ['nickname', '']]);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe('/c/acme/account?done=rectified');
    expect(await fullnameOf('alice')).toBe('Alice Corrected');
    expect(await privacyRequestRows(customerId)).toMatchObject([{ kind: 'RECTIFICATION', status: 'COMPLETED', details: { fields: ['fullname'] } }]);
    const [event] = await ownerSql(`select actor_kind, actor_id, fields from audit_outbox where action = 'profile.updated'`);
    expect(event).toEqual({ actor_kind: 'DATA_SUBJECT', actor_id: 'acme', fields: ['fullname'] });
    const page = await accountPage(app, browser, 'acme', '?done=rectified');
    expect(page.body).toContain('Your correction was saved.');
    expect(cellsOf(page.body)).toMatch(/Full name<\/th><td>Alice Corrected<\/td><td>You<\/td>/);
    expect(cellsOf(page.body)).toMatch(/<td>Correction<\/td><td>[^<]+<\/td><td>[^<]+<\/td><td>Completed<\/td>/);
    // Once the audit worker has chained the events, the provenance reads them from the chain.
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    expect(await ownerSql(`select id from audit_outbox where audited_at is null`)).toEqual([]);
    expect(cellsOf((await accountPage(app, browser)).body)).toMatch(/Full name<\/th><td>Alice Corrected<\/td><td>You<\/td>/);
  });

  it('refuses a crafted correction of a field the customer does not let people edit, changing nothing', async () => {
    const browser = await signedIn();
    const before = await tableCounts();
    const answer = await postAccountForm(app, browser, '/profile', [['fullname', 'Changed Too'], ['email', 'evil@example.org']]);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('The field Email address cannot be corrected here.');
    expect(await tableCounts()).toEqual(before);
    expect(await fullnameOf('alice')).toBe('Alice Example');
    const invalid = await postAccountForm(app, browser, '/profile', [['fullname', 'x'.repeat(5000)]]);
    expect([400, 413]).toContain(invalid.status);
    expect(await tableCounts()).toEqual(before);
  });

  it('refuses every form without the session, from another site, or without the CSRF token, changing nothing', async () => {
    const browser = await signedIn();
    const csrf = csrfOf((await accountPage(app, browser)).body);
    const before = await tableCounts();
    const url = `${app.url}/c/acme/account/restriction`;
    const fields: Array<[string, string]> = [['restricted', 'true']];
    expect((await new Browser().postForm(url, [['csrf', csrf], ...fields], sameOrigin(app))).status).toBe(401);
    expect((await browser.postForm(url, [['csrf', csrf], ...fields], { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' })).status).toBe(403);
    expect((await browser.postForm(url, [['csrf', csrf], ...fields], { origin: 'https://evil.example' })).status).toBe(403);
    expect((await browser.postForm(url, fields, sameOrigin(app))).status).toBe(403);
    expect((await browser.postForm(url, [['csrf', `${csrf}x`], ...fields], sameOrigin(app))).status).toBe(403);
    expect(await tableCounts()).toEqual(before);
    expect((await profileOf('alice'))?.restrictedAt).toBeNull();
  });

  it('withdraws the person\'s own consent (the site asks again next time) and not another person\'s', async () => {
    await signIn(app, 'acme', apiKey, 'allow_remember', 'alice');
    await signIn(app, 'acme', apiKey, 'allow_remember', 'bob');
    const [alices, bobs] = await Promise.all(
      ['alice', 'bob'].map(async (u) => (await app.db.forSlug('acme', () => app.services.consent.list({ username: u }, 10, null, { kind: 'customer', customerId }))).items[0]!.id),
    );
    const browser = await signedIn();
    const before = await tableCounts();
    const other = await postAccountForm(app, browser, `/consents/${bobs}/withdraw`);
    expect(other.status).toBe(404);
    expect(await tableCounts()).toEqual(before);
    expect((await postAccountForm(app, browser, `/consents/not-a-uuid/withdraw`)).status).toBe(404);
    const own = await postAccountForm(app, browser, `/consents/${alices}/withdraw`);
    expect(own.status).toBe(303);
    const rows = await ownerSql(`select id, revoked_at from consent_decision order by decided_at`);
    expect(rows.find((r) => r.id === alices).revoked_at).not.toBeNull();
    expect(rows.find((r) => r.id === bobs).revoked_at).toBeNull();
    const [event] = await ownerSql(`select actor_kind, actor_id from audit_outbox where action = 'consent.revoked'`);
    expect(event).toEqual({ actor_kind: 'DATA_SUBJECT', actor_id: 'acme' });
    // The next sign-in to that site shows the consent page again (signIn's `allow` expects it).
    await signIn(app, 'acme', apiKey, 'allow', 'alice');
    // Bob's remembered decision still skips it.
    await signIn(app, 'acme', apiKey, 'no_prompt', 'bob');
  });

  it('prepares the person\'s export, offers it once built, downloads only their own', async () => {
    const browser = await signedIn();
    expect((await postAccountForm(app, browser, '/export')).status).toBe(303);
    const [request] = await privacyRequestRows(customerId);
    expect(request).toMatchObject({ kind: 'EXPORT', status: 'IN_PROGRESS' });
    expect(request.export_id).not.toBeNull();
    expect((await accountPage(app, browser)).body).toContain('Being prepared');
    expect(await buildProfileExport(app.db, app.services.exports, { customerId, exportId: request.export_id })).toBe(true);
    expect((await privacyRequestRows(customerId))[0]).toMatchObject({ kind: 'EXPORT', status: 'COMPLETED' });
    const page = await accountPage(app, browser);
    expect(page.body).toContain(`/c/acme/account/exports/${request.export_id}`);
    const hop = await browser.get(`${app.url}/c/acme/account/exports/${request.export_id}`);
    expect(hop.status).toBe(303);
    const download = await fetch(hop.location!);
    expect(download.status).toBe(200);
    expect(await download.text()).toContain('Alice Example');
    // Bob's export is nothing to Alice.
    const bob = await signedIn('bob', { sreg_fullname: 'Bob' });
    expect((await postAccountForm(app, bob, '/export')).status).toBe(303);
    const bobsExport = (await privacyRequestRows(customerId)).at(-1)!.export_id;
    expect((await browser.get(`${app.url}/c/acme/account/exports/${bobsExport}`)).status).toBe(404);
    expect((await new Browser().get(`${app.url}/c/acme/account/exports/${request.export_id}`)).status).toBe(401);
  });

  it('restricts processing and lifts it, each recorded as a completed RESTRICTION', async () => {
    const browser = await signedIn();
    expect((await postAccountForm(app, browser, '/restriction', [['restricted', 'true']])).location).toBe('/c/acme/account?done=restricted');
    expect((await profileOf('alice'))?.restrictedAt).not.toBeNull();
    const page = await accountPage(app, browser);
    expect(page.body).toContain('Processing of your data is restricted');
    expect(page.body).not.toContain('name="fullname"');
    // A correction while restricted is refused, and changes nothing.
    const before = await tableCounts();
    expect((await postAccountForm(app, browser, '/profile', [['fullname', 'No']])).status).toBe(400);
    expect(await tableCounts()).toEqual(before);
    expect((await postAccountForm(app, browser, '/restriction', [['restricted', 'false']])).location).toBe('/c/acme/account?done=unrestricted');
    expect((await profileOf('alice'))?.restrictedAt).toBeNull();
    expect(await privacyRequestRows(customerId)).toMatchObject([
      { kind: 'RESTRICTION', status: 'COMPLETED', details: { restricted: true } },
      { kind: 'RESTRICTION', status: 'COMPLETED', details: { restricted: false } },
    ]);
  });

  it('records an objection on one of the offered grounds for review, and refuses other grounds', async () => {
    const browser = await signedIn();
    const before = await tableCounts();
    expect((await postAccountForm(app, browser, '/objection', [['grounds', 'BECAUSE']])).status).toBe(400);
    expect(await tableCounts()).toEqual(before);
    expect((await postAccountForm(app, browser, '/objection', [['grounds', 'PROFILING']])).status).toBe(303);
    expect(await privacyRequestRows(customerId)).toMatchObject([{ kind: 'OBJECTION', status: 'PENDING_REVIEW', details: { grounds: 'PROFILING' } }]);
  });

  it('deletes the person\'s data after the confirmation, ends the session, and keeps the receipt readable after the purge', async () => {
    const browser = await signedIn();
    expect((await accountPage(app, browser, 'acme', '/delete')).body).toContain('name="confirm" value="yes"');
    const before = await tableCounts();
    expect((await postAccountForm(app, browser, '/delete')).status).toBe(400);
    expect(await tableCounts()).toEqual(before);
    const answer = await postAccountForm(app, browser, '/delete', [['confirm', 'yes']]);
    expect(answer.status).toBe(303);
    expect(answer.headers.getSetCookie().some((c) => c.startsWith('ids_account=;'))).toBe(true);
    const [request] = await privacyRequestRows(customerId);
    expect(request).toMatchObject({ kind: 'DELETION', status: 'IN_PROGRESS' });
    expect(answer.location).toMatch(new RegExp(`^/c/acme/account/receipt/[0-9a-f-]{36}\\?token=[\\w-]+$`));
    // The session is gone: the overview is the start page again.
    expect((await accountPage(app, browser)).body).toContain('Sign in to see your data');
    expect(await runAs({ kind: ActorKind.SYSTEM, id: 'erasure' }, () => app.services.erasurePurge.process(request.deletion_request_id))).toBe(DeletionStatus.COMPLETED);
    expect((await privacyRequestRows(customerId))[0]).toMatchObject({ status: 'COMPLETED' });
    expect(await ownerSql(`select id from profile where customer_id = ?`, [customerId])).toEqual([]);
    const receipt = await new Browser().get(`${app.url}${answer.location}`);
    expect(receipt.status).toBe(200);
    expect(receipt.body).toContain('Receipt of your request');
    expect(cellsOf(receipt.body)).toContain('<td>Completed</td>');
    expect(cellsOf(receipt.body)).toMatch(/<code>profile<\/code><\/td><td>1<\/td>/);
    expect(receipt.body).not.toContain('Alice');
    const wrong = await new Browser().get(`${app.url}${answer.location!.replace(/token=.*/, 'token=forged')}`);
    expect(wrong.status).toBe(404);
    expect(wrong.body).not.toContain('Receipt');
  });

  it('holds a deletion for review when the customer says so: a pending request, nothing erased', async () => {
    await enablePrivacyCenter(app, 'acme', { deletionMode: 'REVIEW' });
    const browser = await signedIn();
    expect((await accountPage(app, browser, 'acme', '/delete')).body).toContain('for review');
    const answer = await postAccountForm(app, browser, '/delete', [['confirm', 'yes']]);
    expect(answer.status).toBe(303);
    expect(await privacyRequestRows(customerId)).toMatchObject([{ kind: 'DELETION', status: 'PENDING_REVIEW', deletion_request_id: null }]);
    expect(await ownerSql(`select id from deletion_request`)).toEqual([]);
    expect(await profileOf('alice')).not.toBeNull();
    const receipt = await new Browser().get(`${app.url}${answer.location}`);
    expect(receipt.body).toContain('Waiting for review');
  });

  it('records one deletion request for concurrent confirmations, held for review or immediate', async () => {
    for (const [mode, status] of [['REVIEW', 'PENDING_REVIEW'], ['IMMEDIATE', 'IN_PROGRESS']] as const) {
      await ownerSql(`delete from privacy_request`);
      await enablePrivacyCenter(app, 'acme', { editableFields: ['fullname', 'nickname'], deletionMode: mode });
      const browser = await signedIn(`carol-${mode.toLowerCase()}`, { sreg_fullname: 'Carol' });
      const csrf = csrfOf((await accountPage(app, browser)).body);
      const answers = await Promise.all(
        [1, 2, 3, 4].map(() => browser.postForm(`${app.url}/c/acme/account/delete`, [['csrf', csrf], ['confirm', 'yes']], sameOrigin(app))),
      );
      expect(answers.filter((a) => a.status === 303).length).toBeGreaterThanOrEqual(1);
      // The others found the session already ended by the first: never an error.
      expect(answers.map((a) => a.status).filter((s) => s !== 303 && s !== 401)).toEqual([]);
      expect({ mode, rows: await privacyRequestRows(customerId) }).toMatchObject({ mode, rows: [{ kind: 'DELETION', status }] });
      // Every confirmation that got through names that one request on its receipt.
      expect(new Set(answers.filter((a) => a.status === 303).map((a) => a.location!.replace(/\?.*/, ''))).size).toBe(1);
    }
    expect(await ownerSql(`select id from deletion_request`)).toHaveLength(1);
  });

  it('answers a repeated objection on the same grounds with the open one; other grounds are a request of their own', async () => {
    const browser = await signedIn();
    for (const grounds of ['PROFILING', 'PROFILING', 'DIRECT_MARKETING', 'PROFILING']) {
      expect((await postAccountForm(app, browser, '/objection', [['grounds', grounds]])).status).toBe(303);
    }
    expect(await privacyRequestRows(customerId)).toMatchObject([
      { kind: 'OBJECTION', status: 'PENDING_REVIEW', details: { grounds: 'PROFILING' } },
      { kind: 'OBJECTION', status: 'PENDING_REVIEW', details: { grounds: 'DIRECT_MARKETING' } },
    ]);
    expect(await privacyRequestRows(customerId)).toHaveLength(2);
  });

  it('answers 429 past the hourly limits per profile and per address, changing nothing', async () => {
    const alice = await signedIn();
    for (let i = 0; i < PER_PROFILE; i++) expect((await postAccountForm(app, alice, '/objection', [['grounds', 'PROFILING']])).status).toBe(303);
    const before = await tableCounts();
    const limited = await postAccountForm(app, alice, '/objection', [['grounds', 'PROFILING']]);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await tableCounts()).toEqual(before);
    // Another person from the same address: under their own profile's limit, over the address's.
    const bob = await signedIn('bob', { sreg_fullname: 'Bob' });
    const left = PER_ADDRESS - PER_PROFILE - 1;
    for (let i = 0; i < left; i++) expect((await postAccountForm(app, bob, '/objection', [['grounds', 'PROFILING']])).status).toBe(303);
    expect((await postAccountForm(app, bob, '/objection', [['grounds', 'PROFILING']])).status).toBe(429);
  });
});
