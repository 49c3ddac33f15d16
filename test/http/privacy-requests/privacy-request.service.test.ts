import { App } from '../../../src/app';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { ActorKind, runAs } from '../../../src/audit';
import { customerScope } from '../../../src/db/scope';
import { DeletionStatus } from '../../../src/erasure';
import { buildProfileExport } from '../../../src/exports/build-profile-export.job';
import { PRIVACY_REQUEST_DUE_DAYS, PrivacyRequestKind, PrivacyRequestStatus, REMOVED_OUTCOME } from '../../../src/privacy-requests';
import { customerTenant } from '../../../src/shared/tenant';
import { asOwner, createTestCustomer, inContext, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { SteppedClock } from '../../support/clock';
import { seedProfile } from '../../support/oauth';
import { rowsMentioning } from '../../support/full-table';

const DAY_MS = 86_400_000;
const ALICE = { username: 'alice-privacy', email: 'alice.unique@privacy.example', fullname: 'Alice Privatova' };

/** What the privacy center does when a person asks: runs as the data subject, in their customer's scope. */
function asSubject<T>(app: App, customerId: string, slug: string, fn: () => Promise<T>): Promise<T> {
  return runAs({ kind: ActorKind.DATA_SUBJECT, id: slug }, () => app.db.run(customerScope(customerId), fn));
}

describe('privacy requests (service)', () => {
  let app: App;
  let customerId: string;
  let profileId: string;
  let subjectHash: string;
  const clock = new SteppedClock();

  beforeAll(async () => {
    app = await startPublicTestApp({}, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.reset();
    await resetDatabase();
    ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
    profileId = await seedProfile(app, customerId, ALICE.username, { email: ALICE.email, fullname: ALICE.fullname });
    subjectHash = app.services.audit.subjectHash(customerId, ALICE.username);
  });

  const receive = (kind: PrivacyRequestKind, status: 'PENDING_REVIEW' | 'IN_PROGRESS' | 'COMPLETED', extra: Record<string, unknown> = {}) =>
    asSubject(app, customerId, 'acme', () => app.services.privacyRequests.receive({ customerId, profileId, subjectHash, kind, status, ...extra }));

  it('records a request due exactly 30 days after it came in, audited as the data subject without any personal value', async () => {
    const before = Date.now();
    const request = await receive(PrivacyRequestKind.RECTIFICATION, 'COMPLETED', { details: { fields: ['email'] } });
    expect(PRIVACY_REQUEST_DUE_DAYS).toBe(30);
    expect(request.dueAt.getTime() - request.receivedAt.getTime()).toBe(30 * DAY_MS);
    expect(request.receivedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(request).toMatchObject({ kind: 'RECTIFICATION', status: 'COMPLETED', channel: 'PRIVACY_CENTER', profileId, subjectHash, details: { fields: ['email'] }, isOverdue: false });
    expect(request.completedAt).toEqual(request.receivedAt);
    const [row] = await ownerSql(`select received_at, due_at, status, subject_hash from privacy_request where id = ?`, [request.id]);
    expect(new Date(row.due_at).getTime() - new Date(row.received_at).getTime()).toBe(30 * DAY_MS);

    const events = await ownerSql(`select action, actor_kind, actor_id, subject_hash, details from audit_outbox where target_id = ? order by id`, [request.id]);
    expect(events.map((e) => [e.action, e.actor_kind, e.actor_id, e.subject_hash])).toEqual([
      ['privacy_request.received', 'DATA_SUBJECT', 'acme', subjectHash],
      ['privacy_request.completed', 'DATA_SUBJECT', 'acme', subjectHash],
    ]);
    expect(events[0].details).toMatchObject({ kind: 'RECTIFICATION', dueAt: request.dueAt.toISOString(), fields: ['email'] });
    const stored = JSON.stringify(await ownerSql(`select * from privacy_request`));
    for (const value of [ALICE.username, ALICE.email, ALICE.fullname]) expect(stored).not.toContain(value);
  });

  it('lists the person\'s requests newest first, and finds one for a receipt only under its own customer', async () => {
    const first = await receive(PrivacyRequestKind.OBJECTION, 'PENDING_REVIEW', { details: { grounds: 'DIRECT_MARKETING' } });
    clock.advance(1000);
    const second = await receive(PrivacyRequestKind.RESTRICTION, 'COMPLETED');
    const other = await createTestCustomer(app, 'other');
    const mine = await asSubject(app, customerId, 'acme', () => app.services.privacyRequests.forSubject(customerId, subjectHash, 10));
    expect(mine.map((r) => r.id)).toEqual([second.id, first.id]);
    expect(await asSubject(app, customerId, 'acme', () => app.services.privacyRequests.forSubject(customerId, subjectHash, 1))).toHaveLength(1);
    expect(await asSubject(app, customerId, 'acme', () => app.services.privacyRequests.forSubject(customerId, 'f'.repeat(64), 10))).toEqual([]);
    expect((await inContext(app, () => app.services.privacyRequests.getForReceipt(customerId, first.id)))?.details).toEqual({ grounds: 'DIRECT_MARKETING' });
    expect(await inContext(app, () => app.services.privacyRequests.getForReceipt(other.customer.id, first.id))).toBeNull();
    expect(await inContext(app, () => app.services.privacyRequests.getForReceipt(customerId, 'not-a-uuid'))).toBeNull();
  });

  it('flags an open request overdue once its due date has passed, and never a finished one', async () => {
    const open = await receive(PrivacyRequestKind.OBJECTION, 'PENDING_REVIEW');
    const done = await receive(PrivacyRequestKind.RESTRICTION, 'COMPLETED');
    const read = (id: string) => inContext(app, () => app.services.privacyRequests.get(id, customerTenant(customerId)));
    clock.advance(30 * DAY_MS - 60_000);
    expect((await read(open.id))?.isOverdue).toBe(false);
    clock.advance(120_000);
    expect((await read(open.id))?.isOverdue).toBe(true);
    expect((await read(done.id))?.isOverdue).toBe(false);
    expect(await inContext(app, () => app.services.privacyRequests.overdueCount())).toBe(1);
  });

  it('completes an EXPORT request when its export is built, once', async () => {
    const exported = await asSubject(app, customerId, 'acme', () => app.services.exports.request(profileId, customerTenant(customerId, ALICE.username), { isSubjectAccessRequest: true }));
    const request = await receive(PrivacyRequestKind.EXPORT, 'IN_PROGRESS', { exportId: exported.id });
    expect(request.status).toBe('IN_PROGRESS');
    expect(await buildProfileExport(app.db, app.services.exports, { customerId, exportId: exported.id })).toBe(true);
    const done = await inContext(app, () => app.services.privacyRequests.get(request.id, customerTenant(customerId)));
    expect(done).toMatchObject({ status: 'COMPLETED', outcome: 'The export is ready to download.' });
    expect(done?.completedAt).not.toBeNull();
    // Idempotent: a second call (a retried job) moves nothing and audits nothing more.
    await app.db.run(customerScope(customerId), () => app.services.privacyRequests.completeForExport(exported.id, 'again'));
    const completed = await ownerSql(`select count(*)::int as n from audit_outbox where target_id = ? and action = 'privacy_request.completed'`, [request.id]);
    expect(completed[0].n).toBe(1);
    expect((await inContext(app, () => app.services.privacyRequests.get(request.id, customerTenant(customerId))))?.outcome).toBe('The export is ready to download.');
  });

  it('approving a deletion held for review starts the erasure; the purge completes the request, which outlives the person without a personal value', async () => {
    const request = await receive(PrivacyRequestKind.DELETION, 'PENDING_REVIEW');
    const approved = await runAs({ kind: ActorKind.OPERATOR, id: 'op-1' }, () =>
      inContext(app, () => app.services.privacyRequests.approve(request.id, 'Checked the identity.', customerTenant(customerId))),
    );
    expect(approved).toMatchObject({ status: 'IN_PROGRESS', decidedByKind: 'OPERATOR', decidedById: 'op-1', outcome: 'Checked the identity.' });
    expect(approved.deletionRequestId).not.toBeNull();
    expect(await runAs({ kind: ActorKind.SYSTEM, id: 'erasure' }, () => app.services.erasurePurge.process(approved.deletionRequestId!))).toBe(DeletionStatus.COMPLETED);
    const done = await inContext(app, () => app.services.privacyRequests.get(request.id, customerTenant(customerId)));
    expect(done).toMatchObject({ status: PrivacyRequestStatus.COMPLETED, deletionRequestId: approved.deletionRequestId });
    expect(await ownerSql(`select id from profile where customer_id = ?`, [customerId])).toEqual([]);
    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const actions = await ownerSql(`select action from audit_event where target_id = ? order by seq`, [request.id]);
    expect(actions.map((a) => a.action).sort()).toEqual(['privacy_request.approved', 'privacy_request.completed', 'privacy_request.received']);
    // The record of the answer stays, naming the person by keyed hash only.
    const everything = await asOwner(async (sql) => JSON.stringify(await sql(`select * from privacy_request`)));
    for (const value of [ALICE.username, ALICE.email, ALICE.fullname]) expect(everything).not.toContain(value);
    expect(everything).toContain(subjectHash);
  });

  it('completes a deletion held for review when the person is erased another way (the API), and keeps nothing typed about them', async () => {
    const held = await receive(PrivacyRequestKind.DELETION, 'PENDING_REVIEW');
    const declined = await receive(PrivacyRequestKind.OBJECTION, 'PENDING_REVIEW', { details: { grounds: 'PROFILING' } });
    const approved = await receive(PrivacyRequestKind.OBJECTION, 'PENDING_REVIEW', { details: { grounds: 'DIRECT_MARKETING' } });
    const exported = await asSubject(app, customerId, 'acme', () => app.services.exports.request(profileId, customerTenant(customerId, ALICE.username), { isSubjectAccessRequest: true }));
    const exportRequest = await receive(PrivacyRequestKind.EXPORT, 'IN_PROGRESS', { exportId: exported.id });
    expect(await buildProfileExport(app.db, app.services.exports, { customerId, exportId: exported.id })).toBe(true);
    const tenant = customerTenant(customerId);
    await runAs({ kind: ActorKind.OPERATOR, id: 'op-1' }, async () => {
      await inContext(app, () => app.services.privacyRequests.decline(declined.id, 'Alice Liddell called: we keep it.', tenant));
      await inContext(app, () => app.services.privacyRequests.approve(approved.id, 'Stopped mailing Alice Liddell.', tenant));
    });
    expect(Object.keys(await rowsMentioning('Alice Liddell'))).toEqual(['privacy_request']);

    const erasure = await inContext(app, () => app.services.erasure.requestProfileDeletion(profileId, tenant));
    expect(await runAs({ kind: ActorKind.SYSTEM, id: 'erasure' }, () => app.services.erasurePurge.process(erasure.id))).toBe(DeletionStatus.COMPLETED);
    const read = (id: string) => inContext(app, () => app.services.privacyRequests.get(id, tenant));
    expect(await read(held.id)).toMatchObject({ status: 'COMPLETED', outcome: 'The data was erased.', isOverdue: false, deletionRequestId: null });
    expect((await read(held.id))?.completedAt).not.toBeNull();
    expect(await read(declined.id)).toMatchObject({ status: 'DECLINED', outcome: REMOVED_OUTCOME });
    expect(await read(approved.id)).toMatchObject({ status: 'COMPLETED', outcome: REMOVED_OUTCOME });
    // The service's own outcomes say nothing about the person: they stay.
    expect(await read(exportRequest.id)).toMatchObject({ status: 'COMPLETED', outcome: 'The export is ready to download.' });
    expect(await rowsMentioning('Alice Liddell')).toEqual({});
    const completions = await ownerSql(`select actor_kind from audit_outbox where target_id = ? and action = 'privacy_request.completed'`, [held.id]);
    expect(completions).toEqual([{ actor_kind: 'SYSTEM' }]);
    // Nothing is left to approve.
    const refused = runAs({ kind: ActorKind.OPERATOR, id: 'op-1' }, () => inContext(app, () => app.services.privacyRequests.approve(held.id, null, tenant)));
    await expect(refused).rejects.toMatchObject({ code: 'PRIVACY_REQUEST_NOT_PENDING' });
  });
});
