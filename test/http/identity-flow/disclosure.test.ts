import { App } from '../../../src/app';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { FixedClock } from '../../../src/shared/clock';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { postback, startLogin } from '../../support/flow';
import { graphql } from '../../support/graphql';
import { npmOpenid } from '../../support/rp';
import { openedProfiles } from '../../support/sealed';

const BLOB = 'lastName=Liddell&uuid=42';
const SREG = () => new npmOpenid.SimpleRegistration({ email: 'required', dob: 'optional' });
const NO_PII = () => new npmOpenid.PAPE({ preferred_auth_policies: 'http://www.idmanagement.gov/schema/2009/05/icam/no-pii.pdf' });

/** Everything stored about people, as text: what must not hold a value is searched for here. */
async function everythingStored(): Promise<string> {
  const tables = ['profile', 'auth_request', 'audit_outbox', 'audit_payload', 'consent_decision'];
  return JSON.stringify(await Promise.all(tables.map((t) => ownerSql(`select * from "${t}"`))));
}

describe('what of a person leaves in the assertion and is kept (one disclosure rule)', () => {
  let app: App;
  let apiKey: string;
  // Real time: the npm RP checks response_nonce timestamps against its own clock.
  const clock = new FixedClock(new Date());

  beforeAll(async () => {
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.set(new Date());
    await resetDatabase();
    ({ apiKey } = await createTestCustomer(app, 'acme'));
  });

  /** A whole no-prompt sign-in; answers the RP's verified result and the raw answer URL. */
  async function signIn(username: string, fields: Record<string, string>, extensions: unknown[] = [SREG()]) {
    const { rp, browser, requestId } = await startLogin(app, 'acme', { extensions });
    expect(await postback(app, 'acme', { request_id: requestId, api_key: apiKey, username, no_prompt: 'true', ...fields })).toMatchObject({ status: 200 });
    const back = await browser.get(`${app.url}/c/acme/ows_return?request_id=${requestId}`);
    expect(back.status).toBe(302);
    const answer = new URL(back.location!);
    return { result: await rp.verify(answer.toString()), answer };
  }

  const restrict = async (username: string) => {
    const row = (await openedProfiles(app, ['id', 'username'])).find((p) => p.username === username)!;
    const res = await graphql(app.url!, `mutation($id: ID!) { setProfileRestriction(profileId: $id, restricted: true) { profile { id } } }`, { id: row.id });
    expect(res.errors).toBeUndefined();
  };

  it('relays the AW blob, signed, to an RP that did not ask for no-PII, for an adult whose processing is not restricted', async () => {
    const { result, answer } = await signIn('alice', { sreg_email: 'alice@example.com', blob: BLOB });
    expect(result).toMatchObject({ authenticated: true, email: 'alice@example.com' });
    expect(answer.searchParams.get('openid.ids.blob')).toBe(BLOB);
  });

  it.each([
    ['the RP asked for the PAPE no-PII policy', {}, () => [SREG(), NO_PII()], false],
    ['the AW says the user is under 13', { under_13: 'true' }, () => [SREG()], false],
    ['the date of birth makes the user a child', { sreg_dob: `${new Date().getUTCFullYear() - 5}-01-01` }, () => [SREG()], false],
    ['the profile is restricted', {}, () => [SREG()], true],
  ])('relays neither the blob nor attributes when %s, and keeps neither on the request', async (_why, extra, extensions, restricted) => {
    if (restricted) {
      await signIn('alice', { sreg_email: 'alice@example.com' });
      await restrict('alice');
    }
    const { result, answer } = await signIn('alice', { sreg_email: 'alice@example.com', blob: BLOB, ...extra }, extensions());
    expect(result).toMatchObject({ authenticated: true, claimedIdentifier: `${app.config.PUBLIC_URL}/c/acme/id/alice` });
    expect(result.email).toBeUndefined();
    expect(answer.searchParams.get('openid.ids.blob')).toBeNull();
    expect(answer.toString()).not.toContain('Liddell');
    const requests = await ownerSql(`select blob from auth_request order by created_at desc limit 1`);
    expect(requests).toEqual([{ blob: null }]);
  });

  it('keeps only the username of a child: nothing posted is stored, and what was stored before is erased (audited)', async () => {
    // Alice signed in as an adult first: her values are on the profile, her request and the audit trail.
    await signIn('alice', { sreg_email: 'alice@example.com', sreg_dob: '1990-04-01', blob: BLOB });
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    expect(await openedProfiles(app, ['email', 'dob'])).toEqual([{ email: 'alice@example.com', dob: '1990-04-01' }]);
    const payloads = () => ownerSql(`select count(*)::int as n from audit_payload where subject_hash is not null`);
    expect(await payloads()).not.toEqual([{ n: 0 }]);

    await signIn('alice', { sreg_email: 'alice@school.example', sreg_dob: `${new Date().getUTCFullYear() - 9}-06-15`, blob: BLOB, under_13: 'true' });

    const attributes = ['nickname', 'email', 'fullname', 'dob', 'gender', 'postcode', 'country', 'language', 'timezone'];
    const [profile] = await openedProfiles(app, attributes);
    expect(profile).toEqual(Object.fromEntries(attributes.map((f) => [f, null])));
    // The audit payloads that held her earlier values (sealed or not) are gone with them.
    expect(await payloads()).toEqual([{ n: 0 }]);
    expect(await ownerSql(`select supplied, blob from auth_request`)).toEqual([
      { supplied: {}, blob: null },
      { supplied: {}, blob: null },
    ]);
    const stored = await everythingStored();
    for (const value of ['alice@example.com', 'alice@school.example', '1990-04-01', '-06-15', 'Liddell']) expect(stored).not.toContain(value);

    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const [erased] = await ownerSql(`select fields, details from audit_event where action = 'profile.child_attributes_erased'`);
    expect(erased).toEqual({ fields: [], details: { erasedFields: ['email', 'dob'], reason: 'under_13' } });
    expect((await app.services.audit.verifyChain((await ownerSql(`select id from customer`))[0].id)).ok).toBe(true);
  });

  it('creates a child\'s profile with the username only', async () => {
    await signIn('tom', { sreg_email: 'tom@school.example', sreg_dob: `${new Date().getUTCFullYear() - 8}-02-02` });
    const [profile] = await openedProfiles(app, ['username', 'email', 'dob']);
    expect(profile).toEqual({ username: 'tom', email: null, dob: null });
    expect(await everythingStored()).not.toContain('tom@school.example');
  });
});
