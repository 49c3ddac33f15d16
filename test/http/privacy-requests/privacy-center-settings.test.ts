import { App } from '../../../src/app';
import { CustomerPrivacyCenterDocument, UpdatePrivacyCenterDocument } from '../../../clients/typescript/src';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { clientToken } from '../../support/oauth';
import { sdk } from '../../support/sdk';

describe("a customer's privacy center settings (GraphQL)", () => {
  let app: App;
  let acme: string;

  beforeAll(async () => {
    app = await startPublicTestApp();
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    acme = (await createTestCustomer(app, 'acme')).customer.id;
  });

  const VALID = {
    isEnabled: true,
    editableFields: ['nickname', 'email'],
    deletionMode: 'REVIEW' as const,
    displayName: '  Acme Privacy  ',
    logoUrl: 'https://cdn.acme.example/logo.svg',
    accentColor: '#AA3366',
    privacyPolicyUrl: 'https://acme.example/privacy',
    languages: ['de', 'en'],
  };

  it('starts closed, with the defaults, and reads what was set; the cached login configuration sees the change at once', async () => {
    const admin = sdk(app);
    expect((await admin.request(CustomerPrivacyCenterDocument, { id: acme })).customer?.privacyCenter).toEqual({
      isEnabled: false, editableFields: [], deletionMode: 'IMMEDIATE', displayName: null, logoUrl: null, accentColor: null, privacyPolicyUrl: null, languages: ['en'],
    });
    // The login path's cache holds the closed center now.
    expect((await app.services.customerConfigs.bySlug('acme'))?.privacyCenter.isEnabled).toBe(false);
    const updated = (await admin.request(UpdatePrivacyCenterDocument, { customerId: acme, input: VALID })).updatePrivacyCenter.customer.privacyCenter;
    const expected = { isEnabled: true, editableFields: ['nickname', 'email'], deletionMode: 'REVIEW', displayName: 'Acme Privacy', logoUrl: 'https://cdn.acme.example/logo.svg', accentColor: '#aa3366', privacyPolicyUrl: 'https://acme.example/privacy', languages: ['en', 'de'] };
    expect(updated).toEqual(expected);
    expect((await admin.request(CustomerPrivacyCenterDocument, { id: acme })).customer?.privacyCenter).toEqual(expected);
    expect((await app.services.customerConfigs.bySlug('acme'))?.privacyCenter).toEqual(expected);

    // Omitted fields stay; null clears a nullable one.
    const partly = (await admin.request(UpdatePrivacyCenterDocument, { customerId: acme, input: { logoUrl: null, deletionMode: 'IMMEDIATE' } })).updatePrivacyCenter.customer.privacyCenter;
    expect(partly).toEqual({ ...expected, logoUrl: null, deletionMode: 'IMMEDIATE' });
    expect((await app.services.customerConfigs.bySlug('acme'))?.privacyCenter.deletionMode).toBe('IMMEDIATE');
  });

  it('audits a change on the customer\'s chain with the old and new settings, and nothing for a change that changes nothing', async () => {
    await sdk(app).request(UpdatePrivacyCenterDocument, { customerId: acme, input: { isEnabled: true, accentColor: '#112233' } });
    const events = await ownerSql(`select action, actor_kind, customer_id, details from audit_outbox where customer_id = ? and action = 'customer.updated'`, [acme]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_kind: 'OPERATOR', customer_id: acme });
    expect(events[0].details.changed.privacyCenter.old).toMatchObject({ isEnabled: false, accentColor: null });
    expect(events[0].details.changed.privacyCenter.new).toMatchObject({ isEnabled: true, accentColor: '#112233' });
    await sdk(app).request(UpdatePrivacyCenterDocument, { customerId: acme, input: { isEnabled: true } });
    expect(await ownerSql(`select id from audit_outbox where customer_id = ? and action = 'customer.updated'`, [acme])).toHaveLength(1);
  });

  it.each([
    ['editableFields', { editableFields: ['email', 'password'] }],
    ['editableFields', { editableFields: ['Email'] }],
    ['logoUrl', { logoUrl: 'http://cdn.acme.example/logo.svg' }],
    ['logoUrl', { logoUrl: '/logo.svg' }],
    ['logoUrl', { logoUrl: 'javascript:alert(1)' }],
    ['privacyPolicyUrl', { privacyPolicyUrl: 'ftp://acme.example/privacy' }],
    ['privacyPolicyUrl', { privacyPolicyUrl: 'https://user:pw@acme.example/privacy' }],
    ['accentColor', { accentColor: 'red' }],
    ['accentColor', { accentColor: '#abc' }],
    ['accentColor', { accentColor: '#aa3366;background:url(x)' }],
    ['displayName', { displayName: 'x'.repeat(101) }],
    ['displayName', { displayName: '   ' }],
    ['displayName', { displayName: 'Acme\nPrivacy' }],
    ['languages', { languages: ['de'] }],
    ['languages', { languages: ['en', 'fr'] }],
    ['isEnabled', { isEnabled: null }],
  ])('refuses an invalid %s (%j) with BAD_USER_INPUT naming it, and changes nothing', async (field, input) => {
    await sdk(app).request(UpdatePrivacyCenterDocument, { customerId: acme, input: { isEnabled: true, accentColor: '#112233' } });
    const before = await tableCounts();
    const [stored] = await ownerSql(`select privacy_center, updated_at from customer where id = ?`, [acme]);
    // The valid fields beside the invalid one are not written either.
    const result = await sdk(app).execute(UpdatePrivacyCenterDocument, { customerId: acme, input: { displayName: 'Changed', ...input } });
    expect(result.errors?.[0]).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await tableCounts()).toEqual(before);
    expect(await ownerSql(`select privacy_center, updated_at from customer where id = ?`, [acme])).toEqual([stored]);
  });

  it("needs customers:write, and a customer-bound caller cannot change another customer's settings", async () => {
    const other = (await createTestCustomer(app, 'other')).customer.id;
    const reader = sdk(app, (await clientToken(app, acme, ['customers:read'])).token);
    expect((await reader.execute(UpdatePrivacyCenterDocument, { customerId: acme, input: { isEnabled: true } })).errors?.[0]?.code).toBe('FORBIDDEN');
    const writer = sdk(app, (await clientToken(app, acme, ['customers:read', 'customers:write'])).token);
    const before = await tableCounts();
    expect((await writer.execute(UpdatePrivacyCenterDocument, { customerId: other, input: { isEnabled: true } })).errors?.[0]?.code).toBe('NOT_FOUND');
    expect(await tableCounts()).toEqual(before);
    expect((await sdk(app).request(CustomerPrivacyCenterDocument, { id: other })).customer?.privacyCenter.isEnabled).toBe(false);
    expect((await writer.request(UpdatePrivacyCenterDocument, { customerId: acme, input: { isEnabled: true } })).updatePrivacyCenter.customer.privacyCenter.isEnabled).toBe(true);
  });
});
