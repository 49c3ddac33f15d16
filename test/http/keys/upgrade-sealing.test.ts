import { App } from '../../../src/app';
import { sealLegacyRows } from '../../../src/keys';
import { platformScope } from '../../../src/db/scope';
import { PLATFORM } from '../../../src/shared/tenant';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { consentForm, postback, startLogin } from '../../support/flow';
import { npmOpenid } from '../../support/rp';
import { everyStoredRow, openedProfiles } from '../../support/sealed';

const SREG = () => [new npmOpenid.SimpleRegistration({ email: 'required', fullname: 'optional' })];

/**
 * The upgrade to encryption at rest: rows written in clear before it are sealed by a background job
 * while the service keeps working. The rows are made as an earlier version wrote them: a login's
 * rows turned back into clear text, and the person's key deleted (earlier versions had none).
 */
describe('sealing what was stored before encryption at rest', () => {
  let app: App;
  let apiKey: string;

  beforeAll(async () => {
    app = await startPublicTestApp({ ROLE: 'api' });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    ({ apiKey } = await createTestCustomer(app, 'acme'));
  });

  /** A login that leaves a remembered consent, a completed request and a profile. */
  async function rememberedLogin(username: string) {
    const login = await startLogin(app, 'acme', { extensions: SREG() });
    const fields = { request_id: login.requestId, api_key: apiKey, username, sreg_email: `${username}@example.com`, sreg_fullname: `${username} Liddell`, blob: `${username}-blob-42` };
    expect((await postback(app, 'acme', fields)).status).toBe(200);
    const back = await login.browser.get(`${app.url}/c/acme/ows_return?request_id=${login.requestId}`);
    const form = consentForm(back.body);
    if (form.csrf === '') return back;
    return login.browser.postForm(`${app.url}/c/acme/ows_consent`, [['auth_request', form.authRequest], ['csrf', form.csrf], ['share', 'email'], ['decision', 'allow'], ['remember', 'true']]);
  }

  /** Turns alice's rows back into what an earlier version stored: clear values, no hashes, no key. */
  async function asBeforeTheUpgrade() {
    await ownerSql(`update profile set username = 'alice', email = 'alice@example.com', fullname = 'alice Liddell', username_hash = null, email_hash = null,
                      person_key_id = null, attribute_digests = null, unsealed = true`);
    await ownerSql(`update auth_request set username = 'alice', username_hash = null, person_key_id = null, blob = 'alice-blob-42',
                      supplied = '{"email": "alice@example.com"}'::jsonb, openid_request = openid_request - 'usernameHintHash' || '{"usernameHint": null}'::jsonb`);
    await ownerSql(`update consent_decision set username = 'alice', username_hash = null, person_key_id = null`);
    await ownerSql('delete from keyring.person_key');
    // An earlier version held no keys in memory either.
    app.services.keys.forgetCustomer((await ownerSql('select id from customer'))[0].id);
  }

  it('seals every clear value in batches, after which lookups by hash find the person again', async () => {
    await rememberedLogin('alice');
    const [profileBefore] = await ownerSql('select id from profile');
    await asBeforeTheUpgrade();
    const before = await everyStoredRow();
    expect(before).toContain('alice@example.com');
    expect(before).toContain('alice-blob-42');

    // Batches of one: every table takes several transactions, and the next run finds nothing left.
    const sealed = await sealLegacyRows(app.db, app.services.legacySealer, 1);
    expect(sealed).toEqual({ profile: 1, auth_request: 1, consent_decision: 1, oauth_login_code: 0 });
    expect(await sealLegacyRows(app.db, app.services.legacySealer, 1)).toEqual({ profile: 0, auth_request: 0, consent_decision: 0, oauth_login_code: 0 });

    const after = await everyStoredRow();
    for (const clear of ['alice@example.com', 'alice Liddell', 'alice-blob-42', '"username":"alice"']) expect(after).not.toContain(clear);
    // The profile keeps its id (its person's key is made for it), and opens to what it held.
    expect(await openedProfiles(app, ['id', 'username', 'email', 'fullname'])).toEqual([
      { id: profileBefore.id, username: 'alice', email: 'alice@example.com', fullname: 'alice Liddell' },
    ]);

    // The remembered consent is found by its hash again: the next login answers the RP without asking.
    const again = await rememberedLogin('alice');
    expect(again.status).toBe(302);
    expect(again.location).toContain('openid.mode=id_res');
    expect(await ownerSql('select count(*)::int as n from profile')).toEqual([{ n: 1 }]);
  });

  it('seals what a login left in clear on a profile it updated before the job came', async () => {
    await rememberedLogin('alice');
    await asBeforeTheUpgrade();
    // A login after the upgrade, before the job: it seals what it writes (the email) and leaves the fullname as it found it.
    const login = await startLogin(app, 'acme', { extensions: SREG() });
    expect((await postback(app, 'acme', { request_id: login.requestId, api_key: apiKey, username: 'alice', sreg_email: 'new@example.com' })).status).toBe(200);
    expect(await everyStoredRow()).toContain('alice Liddell');

    await sealLegacyRows(app.db, app.services.legacySealer, 10);
    expect(await everyStoredRow()).not.toContain('alice Liddell');
    expect(await openedProfiles(app, ['username', 'email', 'fullname'])).toEqual([{ username: 'alice', email: 'new@example.com', fullname: 'alice Liddell' }]);
  });

  it('a login after another process erased the person writes nothing under the key this process still holds', async () => {
    await rememberedLogin('alice');
    const [old] = await ownerSql('select person_key_id from profile');
    // An erasure elsewhere: the key and the profile go; this process still has the key in memory.
    await ownerSql('delete from keyring.person_key');
    await ownerSql('delete from profile');
    const login = await startLogin(app, 'acme', { extensions: SREG() });
    expect((await postback(app, 'acme', { request_id: login.requestId, api_key: apiKey, username: 'alice', sreg_email: 'alice@example.com' })).status).toBe(200);
    const [now] = await ownerSql('select person_key_id from profile');
    expect(now.person_key_id).not.toBe(old.person_key_id);
    expect(await ownerSql('select id from keyring.person_key')).toEqual([{ id: now.person_key_id }]);
    expect(await openedProfiles(app, ['username', 'email'])).toEqual([{ username: 'alice', email: 'alice@example.com' }]);
  });

  it('leaves alone a profile being erased', async () => {
    await rememberedLogin('alice');
    const [profile] = await ownerSql('select id from profile');
    await asBeforeTheUpgrade();
    // The erasure is recorded (the person had no key to delete yet); the purge has not run.
    await app.db.run(platformScope('test: erase'), () => app.services.erasure.requestProfileDeletion(profile.id, PLATFORM));
    const sealed = await sealLegacyRows(app.db, app.services.legacySealer, 10);
    expect(sealed.profile).toBe(0);
    expect(await ownerSql('select unsealed from profile')).toEqual([{ unsealed: true }]);
  });
});

