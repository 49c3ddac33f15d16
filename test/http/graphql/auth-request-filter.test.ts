import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { postback, startLogin } from '../../support/flow';
import { graphql } from '../../support/graphql';
import { operatorToken } from '../../support/operators';

const LIST = `query($filter: AuthRequestFilter) { authRequests(filter: $filter, first: 50) { nodes { id customerId outcome } } }`;

interface Row {
  id: string;
  customerId: string;
  outcome: string | null;
}

describe('authRequests filtered by customer and outcome (the dashboard\'s sign-in list)', () => {
  let app: App;
  let acme: { id: string; apiKey: string };
  let globex: { id: string; apiKey: string };

  beforeAll(async () => {
    app = await startPublicTestApp();
    await resetDatabase();
    const a = await createTestCustomer(app, 'acme');
    const g = await createTestCustomer(app, 'globex');
    acme = { id: a.customer.id, apiKey: a.apiKey };
    globex = { id: g.customer.id, apiKey: g.apiKey };
    // acme: one assertion (id_res), one cancel, one still waiting; globex: one assertion.
    await signIn('acme', acme.apiKey, 'alice');
    await cancelled('acme', acme.apiKey);
    await startLogin(app, 'acme');
    await signIn('globex', globex.apiKey, 'alice');
  });
  afterAll(() => app.stop());

  async function signIn(slug: string, apiKey: string, username: string) {
    const login = await startLogin(app, slug);
    await postback(app, slug, { request_id: login.requestId, api_key: apiKey, username, no_prompt: '1' });
    await login.browser.get(`${app.url}/c/${slug}/ows_return?request_id=${login.requestId}`);
  }

  async function cancelled(slug: string, apiKey: string) {
    const login = await startLogin(app, slug);
    await postback(app, slug, { request_id: login.requestId, api_key: apiKey, cancel: 'true' });
    await login.browser.get(`${app.url}/c/${slug}/ows_return?request_id=${login.requestId}`);
  }

  const list = async (filter: Record<string, unknown>, token?: string) => {
    const res = await graphql<{ authRequests: { nodes: Row[] } }>(app.url!, LIST, { filter }, token);
    return { rows: res.data?.authRequests.nodes ?? null, errors: res.errors };
  };

  it('narrows a platform caller to the customer it names', async () => {
    const all = await list({});
    expect(all.rows).toHaveLength(4);
    const onlyAcme = await list({ customerId: acme.id });
    expect(onlyAcme.rows!.map((r) => r.customerId)).toEqual([acme.id, acme.id, acme.id]);
    const onlyGlobex = await list({ customerId: globex.id });
    expect(onlyGlobex.rows!.map((r) => r.customerId)).toEqual([globex.id]);
    // With the username filter the customer narrows the key lookup too: alice of globex only.
    const aliceAtGlobex = await list({ customerId: globex.id, username: 'alice' });
    expect(aliceAtGlobex.rows!.map((r) => r.customerId)).toEqual([globex.id]);
  });

  it('gives a customer-bound operator its own rows, and none for another customer it names', async () => {
    const token = await operatorToken(app, 'VIEWER', acme.id);
    const own = await list({ customerId: acme.id }, token);
    expect(own.errors).toBeUndefined();
    expect(own.rows).toHaveLength(3);
    // Its own id in capitals is still its own id.
    expect((await list({ customerId: acme.id.toUpperCase() }, token)).rows).toHaveLength(3);
    const other = await list({ customerId: globex.id }, token);
    expect(other.errors).toBeUndefined();
    expect(other.rows).toEqual([]);
    const unfiltered = await list({}, token);
    expect(unfiltered.rows!.every((r) => r.customerId === acme.id)).toBe(true);
  });

  it('filters by what the RP received', async () => {
    const ids = await list({ customerId: acme.id, outcome: 'id_res' });
    expect(ids.rows!.map((r) => r.outcome)).toEqual(['id_res']);
    const cancels = await list({ outcome: 'cancel' });
    expect(cancels.rows!.map((r) => [r.customerId, r.outcome])).toEqual([[acme.id, 'cancel']]);
    expect((await list({ outcome: 'setup_needed' })).rows).toEqual([]);
  });

  it('refuses an unknown outcome or a malformed customer id in words, and changes nothing', async () => {
    const before = await ownerSql(`select count(*)::int as n from auth_request`);
    const badOutcome = await list({ outcome: 'ID_RES' });
    expect(badOutcome.rows).toBeNull();
    expect(badOutcome.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(badOutcome.errors?.[0]?.message).toMatch(/outcome must be one of id_res, cancel, setup_needed/);
    const badCustomer = await list({ customerId: 'acme' });
    expect(badCustomer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(badCustomer.errors?.[0]?.message).toMatch(/customerId must be a customer id/);
    expect(await ownerSql(`select count(*)::int as n from auth_request`)).toEqual(before);
  });
});
