import { App } from '../../../src/app';
import { ActorKind, runAs } from '../../../src/audit';
import { customerScope } from '../../../src/db/scope';
import { PrivacyRequestKind } from '../../../src/privacy-requests';
import { createTestCustomer, resetDatabase, startPublicTestApp } from '../../support/app';
import { SteppedClock } from '../../support/clock';
import { seedProfile } from '../../support/oauth';
import { waitUntil } from '../../support/wait';

const TOKEN = 'privacy-metrics-token-0123456789abcdef01';
const DAY_MS = 86_400_000;

/** The `ids_privacy_requests_overdue` series of a scrape, by their label text. */
async function overdueSeries(app: App): Promise<Record<string, number>> {
  const res = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const out: Record<string, number> = {};
  for (const line of (await res.text()).split('\n')) {
    if (!line.startsWith('ids_privacy_requests_overdue{')) continue;
    const at = line.lastIndexOf(' ');
    out[line.slice('ids_privacy_requests_overdue'.length, at)] = Number(line.slice(at + 1));
  }
  return out;
}

describe('the overdue privacy requests gauge', () => {
  let app: App;
  const clock = new SteppedClock();

  beforeAll(async () => {
    app = await startPublicTestApp({ METRICS_TOKEN: TOKEN }, { clock });
  });
  afterAll(() => app.stop());

  it("counts every customer's open requests past their due date, per region, without a customer label", async () => {
    await resetDatabase();
    const receive = async (slug: string, kind: PrivacyRequestKind, status: 'PENDING_REVIEW' | 'IN_PROGRESS' | 'COMPLETED') => {
      const customerId = (await app.services.customerConfigs.bySlug(slug))!.id;
      const profileId = await seedProfile(app, customerId, `${slug}-person`, { email: `${slug}@x.example` });
      const subjectHash = app.services.audit.subjectHash(customerId, `${slug}-person`);
      await runAs({ kind: ActorKind.DATA_SUBJECT, id: slug }, () =>
        app.db.run(customerScope(customerId), () => app.services.privacyRequests.receive({ customerId, profileId, subjectHash, kind, status })),
      );
    };
    await createTestCustomer(app, 'acme');
    await createTestCustomer(app, 'other');
    await receive('acme', PrivacyRequestKind.OBJECTION, 'PENDING_REVIEW');
    await receive('other', PrivacyRequestKind.DELETION, 'PENDING_REVIEW');
    await receive('other', PrivacyRequestKind.EXPORT, 'IN_PROGRESS');
    await receive('acme', PrivacyRequestKind.RECTIFICATION, 'COMPLETED');

    expect(await overdueSeries(app)).toEqual({ '{region="EU"}': 0 });
    clock.advance(30 * DAY_MS + 60_000);
    // Read on scrape through a short cache: the new count shows once the cached one has aged out.
    await waitUntil('the gauge to count the three open requests past due', async () => (await overdueSeries(app))['{region="EU"}'] === 3, { timeoutMs: 15_000, intervalMs: 250 });
    expect(Object.keys(await overdueSeries(app))).toEqual(['{region="EU"}']);
  });
});
