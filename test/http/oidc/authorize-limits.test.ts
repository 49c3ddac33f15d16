import { randomUUID } from 'node:crypto';
import { App } from '../../../src/app';
import { testQueuePrefix } from '../../support/env';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { Browser } from '../../support/flow';
import { authorizationUrl, discoverRp, registerRp } from '../../support/oidc-flow';

describe('the authorization endpoint under a flood from one address', () => {
  let app: App;

  beforeAll(async () => {
    // Counters of its own (other files' apps count 127.0.0.1 too), in a window no run straddles.
    app = await startPublicTestApp({ LOG_LEVEL: 'silent', RATE_LIMIT_OPENID_PER_ADDRESS: '3', RATE_LIMIT_WINDOW_SECONDS: '3600', QUEUE_PREFIX: `${testQueuePrefix()}-authorize-${randomUUID()}` });
  });
  afterAll(() => app.stop());

  it('answers 429 past the per-address limit, writing no request row for those', async () => {
    await resetDatabase();
    const { customer } = await createTestCustomer(app, 'acme');
    const config = await discoverRp(app, 'acme', await registerRp(app, customer.id));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await new Browser().get((await authorizationUrl(config, 'openid')).url.toString())).status);
    expect(statuses).toEqual([302, 302, 302, 429, 429]);
    const [{ n }]: Array<{ n: string }> = await ownerSql('select count(*) as n from auth_request');
    expect(Number(n)).toBe(3);
  });
});
