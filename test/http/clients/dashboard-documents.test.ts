import { getOperationAST, Kind, type DocumentNode } from 'graphql';
import { App } from '../../../src/app';
import * as dashboard from '../../../clients/dashboard/src/generated/graphql';
import { createTestCustomer, resetDatabase, startTestApp } from '../../support/app';
import { seedProfile } from '../../support/oauth';
import { sdk } from '../../support/sdk';

/** Every generated dashboard query whose only required variable is `first` (non-null without a default): the list views. */
const listQueries = Object.entries(dashboard)
  .filter(([name]) => name.endsWith('Document'))
  .map(([name, doc]) => [name, doc as DocumentNode] as const)
  .filter(([, doc]) => {
    const op = getOperationAST(doc);
    const required = op?.variableDefinitions?.filter((v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue).map((v) => v.variable.name.value);
    return op?.operation === 'query' && required?.join() === 'first';
  });

describe('the dashboard documents (codegen client preset) against a live server', () => {
  let app: App;
  let profileId: string;
  beforeAll(async () => {
    app = await startTestApp();
    await resetDatabase();
    const { customer } = await createTestCustomer(app, 'acme');
    profileId = await seedProfile(app, customer.id, 'alice', { email: 'alice@acme.example' });
  });
  afterAll(() => app.stop());

  it('has list views to try', () => {
    expect(listQueries.map(([name]) => name).sort()).toEqual([
      'DashboardAuditEventsDocument',
      'DashboardAuthRequestsDocument',
      'DashboardConsentDecisionsDocument',
      'DashboardCustomersDocument',
      'DashboardOperatorTokensDocument',
      'DashboardProfilesDocument',
      'DashboardWebhookDeliveriesDocument',
      'DashboardWebhookEndpointsDocument',
    ]);
  });

  it.each(listQueries)('%s runs as the operator without errors', async (_name, doc) => {
    const res = await sdk(app).execute(doc, { first: 5 });
    expect(res.errors).toEqual([]);
    expect(res.data).not.toBeNull();
  });

  it('are typed document nodes any TypedDocumentNode client accepts, with their result types', async () => {
    const { profile } = await sdk(app).request(dashboard.DashboardProfileDocument, { id: profileId });
    expect(profile).toMatchObject({ id: profileId, username: 'alice', email: 'alice@acme.example', isRestricted: false, consentDecisions: [] });
    const restricted = await sdk(app).request(dashboard.DashboardSetProfileRestrictionDocument, { profileId, restricted: true });
    expect(restricted.setProfileRestriction.profile).toMatchObject({ id: profileId, isRestricted: true });
  });
});
