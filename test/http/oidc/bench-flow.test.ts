import { App } from '../../../src/app';
import { HttpClient } from '../../../bench/http-client';
import { idsOidcFlow, registerOidcClient, type IdsOidcClient } from '../../../bench/ids-oidc-flow';
import { changesDelivered, createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { TEST_ADMIN_TOKEN } from '../../support/env';

/**
 * The benchmark's OpenID Connect row (bench/ids-oidc-flow.ts) against the real service: a flow counts
 * only when it got through to a token response whose ID token verifies against the JWKS it fetched
 * once, so a flow that stops short, or a token signed by a key outside that set, fails it.
 */
describe('the bench driver of an OpenID Connect sign-in', () => {
  let app: App;
  let client: HttpClient;
  let apiKey: string;
  let customerId: string;
  let rp: IdsOidcClient;

  beforeAll(async () => {
    app = await startPublicTestApp({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
  });
  afterAll(() => app.stop());
  beforeEach(async () => {
    await resetDatabase();
    client = new HttpClient();
    ({ apiKey, customer: { id: customerId } } = await createTestCustomer(app, 'bench'));
    rp = await registerOidcClient(client, app.url!, TEST_ADMIN_TOKEN, customerId);
  });
  afterEach(() => client.close());

  const target = (overrides: Partial<IdsOidcClient> = {}) => ({ client, baseUrl: app.url!, slug: 'bench', apiKey, rp: { ...rp, ...overrides } });

  it('signs people in through authorize, the AW postback, the return and the code exchange', async () => {
    const flow = await idsOidcFlow(target());
    await flow();
    await flow();
    // Four requests per flow, plus the JWKS read once.
    expect(client.requests).toBe(1 + 1 + 2 * 4);
    const codes: Array<{ used: boolean }> = await ownerSql('select used_at is not null as used from oidc_code where customer_id = ?', [customerId]);
    expect(codes).toEqual([{ used: true }, { used: true }]);
    const tokens: Array<{ n: string }> = await ownerSql('select count(*) as n from oauth_access_token where customer_id = ? and grant_id is not null', [customerId]);
    expect(Number(tokens[0]!.n)).toBe(2);
  });

  it('fails a flow whose code exchange is refused', async () => {
    const flow = await idsOidcFlow(target({ clientSecret: 'not-the-secret' }));
    await expect(flow()).rejects.toThrow(/^token: 401 /);
  });

  it('fails a flow whose ID token is signed by a key the JWKS it fetched does not hold', async () => {
    const flow = await idsOidcFlow(target());
    await flow();
    // The customer's keys are replaced behind the driver's back: the next token is signed by a new key.
    await ownerSql('delete from oidc_signing_key where customer_id = ?', [customerId]);
    await changesDelivered(app);
    await expect(flow()).rejects.toThrow(/no applicable key found in the JSON Web Key Set/);
  });
});
