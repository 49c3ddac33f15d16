import { App } from '../../../src/app';
import { drainAuditOutbox } from '../../../src/audit/audit-drain.job';
import { ActorKind, runAs } from '../../../src/audit';
import { customerScope, platformScope } from '../../../src/db/scope';
import { DeletionStatus } from '../../../src/erasure';
import { PrivacyRequestKind } from '../../../src/privacy-requests';
import { PLATFORM } from '../../../src/shared/tenant';
import {
  ApprovePrivacyRequestDocument,
  DeclinePrivacyRequestDocument,
  PrivacyRequestDocument,
  PrivacyRequestsDocument,
} from '../../../clients/typescript/src';
import { createTestCustomer, inContext, ownerSql, resetDatabase, startPublicTestApp, tableCounts } from '../../support/app';
import { SteppedClock } from '../../support/clock';
import { clientToken, seedProfile } from '../../support/oauth';
import { operatorToken } from '../../support/operators';
import { sdk } from '../../support/sdk';

const DAY_MS = 86_400_000;

describe('privacy requests (GraphQL)', () => {
  let app: App;
  const clock = new SteppedClock();
  let acme: string;
  let other: string;
  let aliceProfile: string;

  beforeAll(async () => {
    app = await startPublicTestApp({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }, { clock });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    clock.reset();
    await resetDatabase();
    acme = (await createTestCustomer(app, 'acme')).customer.id;
    other = (await createTestCustomer(app, 'other')).customer.id;
    aliceProfile = await seedProfile(app, acme, 'alice', { email: 'alice@acme.example' });
  });

  /** A request as the privacy center records it: as the data subject, in the customer's scope. */
  async function receive(customerId: string, username: string, kind: PrivacyRequestKind, status: 'PENDING_REVIEW' | 'IN_PROGRESS' | 'COMPLETED', details: Record<string, unknown> = {}) {
    const profileId = customerId === acme && username === 'alice' ? aliceProfile : await seedProfile(app, customerId, username, { email: `${username}@x.example` });
    const subjectHash = app.services.audit.subjectHash(customerId, username);
    const slug = customerId === acme ? 'acme' : 'other';
    return runAs({ kind: ActorKind.DATA_SUBJECT, id: slug }, () =>
      app.db.run(customerScope(customerId), () => app.services.privacyRequests.receive({ customerId, profileId, subjectHash, kind, status, details })),
    );
  }

  it('lists and reads requests with their due dates, newest first, filtered by kind, status and overdue', async () => {
    const objection = await receive(acme, 'alice', PrivacyRequestKind.OBJECTION, 'PENDING_REVIEW', { grounds: 'DIRECT_MARKETING' });
    clock.advance(1000);
    const rectification = await receive(acme, 'alice', PrivacyRequestKind.RECTIFICATION, 'COMPLETED', { fields: ['email', 'nickname'] });
    clock.advance(1000);
    const deletion = await receive(acme, 'alice', PrivacyRequestKind.DELETION, 'PENDING_REVIEW');
    await receive(other, 'bob', PrivacyRequestKind.EXPORT, 'IN_PROGRESS');
    const admin = sdk(app);
    const list = async (filter: Record<string, unknown> | null = null) =>
      (await admin.request(PrivacyRequestsDocument, { customerId: acme, filter, first: 10 })).privacyRequests.nodes.map((n) => n.id);

    const page = (await admin.request(PrivacyRequestsDocument, { customerId: acme, first: 10 })).privacyRequests;
    expect(page.nodes.map((n) => n.id)).toEqual([deletion.id, rectification.id, objection.id]);
    for (const node of page.nodes) expect(Date.parse(node.dueAt) - Date.parse(node.receivedAt)).toBe(30 * DAY_MS);
    expect(page.nodes[1]).toMatchObject({ kind: 'RECTIFICATION', status: 'COMPLETED', channel: 'PRIVACY_CENTER', fields: ['email', 'nickname'], grounds: null, isOverdue: false });
    expect(page.nodes[2]).toMatchObject({ kind: 'OBJECTION', status: 'PENDING_REVIEW', grounds: 'DIRECT_MARKETING', fields: null, profileId: aliceProfile });
    expect((await admin.request(PrivacyRequestsDocument, { first: 10 })).privacyRequests.nodes).toHaveLength(4);
    expect(await list({ kind: 'DELETION' })).toEqual([deletion.id]);
    expect(await list({ status: 'COMPLETED' })).toEqual([rectification.id]);
    // Pages follow one another by cursor.
    const first = (await admin.request(PrivacyRequestsDocument, { customerId: acme, first: 2 })).privacyRequests;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await admin.request(PrivacyRequestsDocument, { customerId: acme, first: 2, after: first.pageInfo.endCursor })).privacyRequests;
    expect(second.nodes.map((n) => n.id)).toEqual([objection.id]);

    expect(await list({ isOverdue: true })).toEqual([]);
    clock.advance(31 * DAY_MS);
    expect(await list({ isOverdue: true })).toEqual([deletion.id, objection.id]);
    expect(await list({ isOverdue: false })).toEqual([rectification.id]);
    expect((await admin.request(PrivacyRequestDocument, { id: objection.id })).privacyRequest).toMatchObject({ id: objection.id, isOverdue: true, dueAt: objection.dueAt.toISOString() });
  });

  it("shows another customer's caller nothing: its list and lookups are empty, approve and decline are NOT_FOUND and write nothing", async () => {
    const deletion = await receive(acme, 'alice', PrivacyRequestKind.DELETION, 'PENDING_REVIEW');
    const mine = await receive(other, 'bob', PrivacyRequestKind.OBJECTION, 'PENDING_REVIEW');
    const { token } = await clientToken(app, other, ['profiles:read', 'profiles:write', 'profiles:delete']);
    const foreign = sdk(app, token);
    expect((await foreign.request(PrivacyRequestsDocument, { first: 10 })).privacyRequests.nodes.map((n) => n.id)).toEqual([mine.id]);
    expect((await foreign.request(PrivacyRequestsDocument, { customerId: acme, first: 10 })).privacyRequests.nodes).toEqual([]);
    expect((await foreign.request(PrivacyRequestDocument, { id: deletion.id })).privacyRequest).toBeNull();
    const before = await tableCounts();
    expect((await foreign.execute(ApprovePrivacyRequestDocument, { id: deletion.id })).errors?.[0]?.code).toBe('NOT_FOUND');
    expect((await foreign.execute(DeclinePrivacyRequestDocument, { id: deletion.id, reason: 'no' })).errors?.[0]?.code).toBe('NOT_FOUND');
    expect(await tableCounts()).toEqual(before);
    expect((await sdk(app).request(PrivacyRequestDocument, { id: deletion.id })).privacyRequest?.status).toBe('PENDING_REVIEW');
  });

  it('needs profiles:read to list, and profiles:delete to approve or decline a deletion (support may decide an objection, not a deletion)', async () => {
    const deletion = await receive(acme, 'alice', PrivacyRequestKind.DELETION, 'PENDING_REVIEW');
    const objection = await receive(acme, 'alice', PrivacyRequestKind.OBJECTION, 'PENDING_REVIEW', { grounds: 'PROFILING' });
    const viewer = sdk(app, await operatorToken(app, 'VIEWER', acme));
    expect((await viewer.execute(PrivacyRequestsDocument, { first: 10 })).errors?.[0]?.code).toBe('FORBIDDEN');
    expect((await viewer.execute(PrivacyRequestDocument, { id: deletion.id })).errors?.[0]?.code).toBe('FORBIDDEN');
    expect((await viewer.execute(DeclinePrivacyRequestDocument, { id: deletion.id, reason: 'no' })).errors?.[0]?.code).toBe('FORBIDDEN');

    const support = sdk(app, await operatorToken(app, 'SUPPORT', acme));
    expect((await support.request(PrivacyRequestsDocument, { first: 10 })).privacyRequests.nodes).toHaveLength(2);
    const before = await tableCounts();
    const refused = await support.execute(ApprovePrivacyRequestDocument, { id: deletion.id });
    expect(refused.errors?.[0]).toMatchObject({ code: 'FORBIDDEN', missingScopes: ['profiles:delete'] });
    expect(await tableCounts()).toEqual(before);
    expect((await sdk(app).request(PrivacyRequestDocument, { id: deletion.id })).privacyRequest?.status).toBe('PENDING_REVIEW');
    // Declining a deletion is deciding it too: profiles:write alone is not enough (an OAuth client's token as much as an operator's).
    const { token } = await clientToken(app, acme, ['profiles:read', 'profiles:write']);
    const withToken = await tableCounts();
    for (const caller of [support, sdk(app, token)]) {
      const declined = await caller.execute(DeclinePrivacyRequestDocument, { id: deletion.id, reason: 'no' });
      expect(declined.errors?.[0]).toMatchObject({ code: 'FORBIDDEN', missingScopes: ['profiles:delete'] });
    }
    expect(await tableCounts()).toEqual(withToken);
    expect((await sdk(app).request(PrivacyRequestDocument, { id: deletion.id })).privacyRequest).toMatchObject({ status: 'PENDING_REVIEW', outcome: null });
    const approved = (await support.request(ApprovePrivacyRequestDocument, { id: objection.id, note: 'We stopped the profiling.' })).approvePrivacyRequest.privacyRequest;
    expect(approved).toMatchObject({ status: 'COMPLETED', outcome: 'We stopped the profiling.', decidedByKind: 'OPERATOR' });
    expect(approved.completedAt).not.toBeNull();
  });

  it('approving a deletion held for review starts its erasure; the purge completes it, audited and sent as webhook events', async () => {
    const events = ['privacy_request.received', 'privacy_request.completed', 'privacy_request.declined'];
    await inContext(app, () => app.services.webhooks.endpoints.createEndpoint(acme, { url: 'http://127.0.0.1:9/hook', events, description: null }, PLATFORM));
    const deletion = await receive(acme, 'alice', PrivacyRequestKind.DELETION, 'PENDING_REVIEW');
    const approved = (await sdk(app).request(ApprovePrivacyRequestDocument, { id: deletion.id, note: null })).approvePrivacyRequest.privacyRequest;
    expect(approved).toMatchObject({ status: 'IN_PROGRESS', decidedByKind: 'OPERATOR', completedAt: null });
    expect(approved.deletionRequestId).toMatch(/^[0-9a-f-]{36}$/);
    const [erasure] = await ownerSql(`select status, profile_id, subject_hash from deletion_request where id = ?`, [approved.deletionRequestId]);
    expect(erasure).toEqual({ status: 'PENDING', profile_id: aliceProfile, subject_hash: app.services.audit.subjectHash(acme, 'alice') });

    expect(await runAs({ kind: ActorKind.SYSTEM, id: 'erasure' }, () => app.services.erasurePurge.process(approved.deletionRequestId!))).toBe(DeletionStatus.COMPLETED);
    const done = (await sdk(app).request(PrivacyRequestDocument, { id: deletion.id })).privacyRequest;
    expect(done).toMatchObject({ status: 'COMPLETED', outcome: 'The data was erased.', isOverdue: false });
    expect(await ownerSql(`select id from profile where id = ?`, [aliceProfile])).toEqual([]);

    await app.db.run(platformScope('test: webhook dispatch'), () => app.services.webhooks.dispatcher.dispatch(1000));
    const deliveries = await ownerSql(`select event_type, body from webhook_delivery where customer_id = ? order by created_at`, [acme]);
    expect(deliveries.map((d) => d.event_type).sort()).toEqual(['privacy_request.completed', 'privacy_request.received']);
    const completed = JSON.parse(deliveries.find((d) => d.event_type === 'privacy_request.completed').body);
    expect(completed.data).toMatchObject({ privacy_requestId: deletion.id, kind: 'DELETION', status: 'COMPLETED' });
    expect(JSON.stringify(deliveries)).not.toContain('alice');

    await drainAuditOutbox(app.db, app.services.audit, 1000);
    const trail = await ownerSql(`select action, actor_kind from audit_event where target_id = ? order by occurred_at, seq`, [deletion.id]);
    expect(trail.map((e) => `${e.action} by ${e.actor_kind}`)).toEqual([
      'privacy_request.received by DATA_SUBJECT',
      'privacy_request.approved by OPERATOR',
      'privacy_request.completed by SYSTEM',
    ]);
  });

  it('declines a request with its reason; a second decision is PRIVACY_REQUEST_NOT_PENDING and changes nothing', async () => {
    const objection = await receive(acme, 'alice', PrivacyRequestKind.OBJECTION, 'PENDING_REVIEW', { grounds: 'OTHER' });
    const done = await receive(acme, 'alice', PrivacyRequestKind.RESTRICTION, 'COMPLETED', { restricted: true });
    const admin = sdk(app);
    expect((await admin.execute(DeclinePrivacyRequestDocument, { id: objection.id, reason: 'x'.repeat(501) })).errors?.[0]).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect((await admin.execute(DeclinePrivacyRequestDocument, { id: objection.id, reason: '   ' })).errors?.[0]).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    const declined = (await admin.request(DeclinePrivacyRequestDocument, { id: objection.id, reason: 'Processing is needed for the contract.' })).declinePrivacyRequest.privacyRequest;
    expect(declined).toMatchObject({ status: 'DECLINED', outcome: 'Processing is needed for the contract.', decidedByKind: 'OPERATOR' });
    expect(declined.completedAt).not.toBeNull();
    expect((await admin.request(PrivacyRequestDocument, { id: done.id })).privacyRequest?.isRestricted).toBe(true);

    const before = await tableCounts();
    const row = await ownerSql(`select * from privacy_request order by id`);
    for (const id of [objection.id, done.id]) {
      expect((await admin.execute(ApprovePrivacyRequestDocument, { id, note: 'changed my mind' })).errors?.[0]?.code).toBe('PRIVACY_REQUEST_NOT_PENDING');
      expect((await admin.execute(DeclinePrivacyRequestDocument, { id, reason: 'again' })).errors?.[0]?.code).toBe('PRIVACY_REQUEST_NOT_PENDING');
    }
    expect(await tableCounts()).toEqual(before);
    expect(await ownerSql(`select * from privacy_request order by id`)).toEqual(row);
  });
});
