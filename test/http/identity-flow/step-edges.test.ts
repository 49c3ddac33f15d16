import { App } from '../../../src/app';
import { waitUntil } from '../../support/wait';
import { asOwner, createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { Browser, postback, startLogin } from '../../support/flow';
import { npmOpenid } from '../../support/rp';

/**
 * Edges of the one-statement login steps (issue 15), each found by a review of the redesign: lock
 * order between steps of one person's requests, cookies that are not UUIDs, no-PII applied at the
 * completion too, and the step functions' helpers closed to other roles.
 */

const SREG = () => new npmOpenid.SimpleRegistration({ email: 'required' });
const NO_PII = () => new npmOpenid.PAPE({ preferred_auth_policies: 'http://www.idmanagement.gov/schema/2009/05/icam/no-pii.pdf' });

describe('login steps: edges', () => {
  let app: App;
  let apiKey: string;

  beforeAll(async () => {
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', RATE_LIMIT_POSTBACK_PER_ADDRESS: '10000' });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    ({ apiKey } = await createTestCustomer(app, 'acme'));
  });

  it('a child\'s postback racing the completion of another of their sign-ins: both answer, no deadlock', async () => {
    // The child's postback locks the profile and then every request of theirs (to clear its values);
    // a completion locks the profile before its request, so neither waits on the other in a circle.
    // Both are made to wait on the person's profile, held here, and then let go together: with the
    // request locked first (the order before), one of the two orders of wake-up deadlocks.
    const before: Array<{ deadlocks: string }> = await ownerSql('select deadlocks::text from pg_stat_database where datname = current_database()');
    for (let round = 0; round < 2; round++) {
      const done = await startLogin(app, 'acme', { extensions: [SREG()] });
      expect((await postback(app, 'acme', { request_id: done.requestId, api_key: apiKey, username: 'kim', no_prompt: 'true', sreg_email: 'kim@example.com' })).status).toBe(200);
      const child = await startLogin(app, 'acme', { extensions: [SREG()] });
      const [posted, returned] = await asOwner(async (sql) => {
        await sql('begin');
        await sql(`select 1 from profile for update`); // kim's, the only profile
        // The postback queues for the profile first, then the completion: with the request locked
        // first (the order before), the postback, woken first, then waits for the completion's request.
        const waitingOnLocks = (n: number) =>
          waitUntil(`${n} session(s) waiting on a lock`, async () => {
            const [waiting]: Array<{ n: number }> = await ownerSql(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
            return waiting!.n >= n;
          }, { intervalMs: 1 });
        const posting = postback(app, 'acme', { request_id: child.requestId, api_key: apiKey, username: 'kim', under_13: 'true', sreg_email: 'kim@example.com' });
        await waitingOnLocks(1);
        const returning = done.browser.get(`${app.url}/c/acme/ows_return?request_id=${done.requestId}`);
        await waitingOnLocks(2);
        const racing = Promise.all([posting, returning]);
        await sql('commit');
        return racing;
      });
      expect(posted.status).toBe(200);
      expect(returned.status).toBe(302);
    }
    const after: Array<{ deadlocks: string }> = await ownerSql('select deadlocks::text from pg_stat_database where datname = current_database()');
    expect(after[0]!.deadlocks).toBe(before[0]!.deadlocks);
  });

  it('answers a binding cookie whose id is not a UUID with 403, not an error', async () => {
    const { requestId } = await startLogin(app, 'acme', { extensions: [SREG()] });
    const browser = new Browser();
    browser.setCookie('ids_txn', `${'a'.repeat(36)}.${'b'.repeat(43)}`);
    const back = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    expect(back.status).toBe(403);
    const consent = await browser.postForm(`${app.url}/c/acme/ows_consent`, [['auth_request', 'a'.repeat(36)], ['decision', 'allow']]);
    expect(consent.status).toBe(404);
  });

  it('grants only sreg fields from a consent form: any other text in `share` (a NUL byte too) goes no further', async () => {
    const { rp, browser, requestId } = await startLogin(app, 'acme', { extensions: [SREG()] });
    expect((await postback(app, 'acme', { request_id: requestId, api_key: apiKey, username: 'alice', no_prompt: 'false', sreg_email: 'alice@example.com' })).status).toBe(200);
    const page = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(page.body)?.[1] ?? '';
    const answer = await browser.postForm(`${app.url}/c/acme/ows_consent`, [
      ['auth_request', hidden('auth_request')],
      ['csrf', hidden('csrf')],
      ['decision', 'allow'],
      ['share', '\u0000'],
      ['share', 'email'],
    ]);
    expect(answer.status).toBe(302);
    expect(await rp.verify(answer.location!)).toMatchObject({ authenticated: true, email: 'alice@example.com' });
    const [decision] = await ownerSql('select granted_fields from consent_decision');
    expect(decision).toEqual({ granted_fields: ['email'] });
  });

  it('releases nothing to an RP that asked for no-PII, even from a request that holds values (one stored before an upgrade)', async () => {
    const { rp, browser, requestId } = await startLogin(app, 'acme', { extensions: [SREG(), NO_PII()] });
    expect((await postback(app, 'acme', { request_id: requestId, api_key: apiKey, username: 'alice', no_prompt: 'true', sreg_email: 'alice@example.com' })).status).toBe(200);
    // What a request posted back under the previous code would hold: the values, kept despite no-PII.
    await ownerSql(`update auth_request set supplied = '{"email": "alice@example.com"}'::jsonb`);
    const back = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    expect(back.status).toBe(302);
    expect(back.location).not.toContain('alice%40example.com');
    expect(await rp.verify(back.location!)).toMatchObject({ authenticated: true });
    const [row] = await ownerSql('select released_fields from auth_request');
    expect(row).toEqual({ released_fields: [] });
  });

  it('keeps the step functions\' helpers to the service: no other role may call them', async () => {
    const helpers = ['ids_flow_complete', 'ids_flow_expire', 'ids_flow_consent_view', 'ids_flow_log', 'ids_audit_add', 'ids_profile_record'];
    const rows: Array<{ proname: string; public_may: boolean; app_may: boolean }> = await ownerSql(
      `select p.proname, has_function_privilege('public', p.oid, 'execute') as public_may, has_function_privilege('ids_app', p.oid, 'execute') as app_may
         from pg_proc p where p.proname = any(?::text[])`,
      [`{${helpers.join(',')}}`],
    );
    expect(rows.map((r) => r.proname).sort()).toEqual([...helpers].sort());
    for (const row of rows) expect(row).toMatchObject({ public_may: false, app_may: true });
  });
});
