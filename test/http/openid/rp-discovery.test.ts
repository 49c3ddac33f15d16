import { randomUUID } from 'node:crypto';
import { App } from '../../../src/app';
import { ReturnToVerification } from '../../../src/customers';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { graphql } from '../../support/graphql';
import { browserGet } from '../../support/rp';
import { returnToXrds, startRpSite } from '../../support/rp-site';
import { testQueuePrefix } from '../../support/env';

const NS = 'http://specs.openid.net/auth/2.0';

function checkid(base: string, slug: string, realm: string, returnTo: string): string {
  const query = new URLSearchParams({
    'openid.ns': NS,
    'openid.mode': 'checkid_setup',
    'openid.claimed_id': `${NS}/identifier_select`,
    'openid.identity': `${NS}/identifier_select`,
    'openid.return_to': returnTo,
    'openid.realm': realm,
  });
  return `${base}/c/${slug}/openid?${query}`;
}

interface Recorded {
  returnToVerification: string | null;
  returnToVerificationReason: string | null;
  timeline: Array<{ event: string; reason: string | null }>;
}

/** The customer's auth requests as the GraphQL API shows them, oldest first. */
async function recorded(app: App): Promise<Recorded[]> {
  const res = await graphql<{ authRequests: { nodes: Recorded[] } }>(
    app.url!,
    `{ authRequests(first: 50) { nodes { returnToVerification returnToVerificationReason timeline { event reason } } } }`,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.authRequests.nodes.reverse();
}

/**
 * Return-URL verification by RP discovery (OpenID 2.0 §9.2.1, issue 14 item 4), against a real
 * RP site on loopback (allowed here by RP_DISCOVERY_ALLOW_PRIVATE_URLS, as webhooks allow theirs).
 * Each test uses realms of its own path: the verifier's cache lives as long as the app.
 */
describe('return_to verification by RP discovery', () => {
  let app: App;
  let site: Awaited<ReturnType<typeof startRpSite>>;

  beforeAll(async () => {
    site = await startRpSite((path, origin) => {
      if (path.endsWith('/xrds/')) return { status: 200, contentType: 'application/xrds+xml', body: returnToXrds([`${origin}${path}finish`]) };
      if (path.endsWith('/meta/')) return { status: 200, contentType: 'text/html', body: `<html><head><meta http-equiv="X-XRDS-Location" content="${origin}${path}doc.xrds"></head></html>` };
      if (path.endsWith('/meta/doc.xrds')) return { status: 200, contentType: 'application/xrds+xml', body: returnToXrds([`${origin}${path.replace('doc.xrds', 'finish')}`]) };
      // The same server under another name: another origin, whose XRDS must not speak for this realm.
      if (path.endsWith('/away/')) return { status: 302, headers: { location: `${origin.replace('127.0.0.1', 'localhost')}/z/xrds/` } };
      return { status: 200, contentType: 'text/html', body: '<html><head><title>An RP without XRDS</title></head></html>' };
    });
    app = await startPublicTestApp({ RP_DISCOVERY_ALLOW_PRIVATE_URLS: 'true' });
  });
  afterAll(async () => {
    await app.stop();
    await site.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
  });

  const hitsUnder = (prefix: string) => site.hits.filter((h) => h.path.startsWith(prefix));

  it('records VERIFIED for a return_to the realm publishes, and fetches the realm once for two sign-ins', async () => {
    await createTestCustomer(app, 'acme');
    const realm = `${site.origin}/a/xrds/`;
    for (let i = 0; i < 2; i++) {
      const res = await browserGet(checkid(app.config.PUBLIC_URL, 'acme', realm, `${realm}finish?n=${i}`));
      expect(res.status).toBe(302);
      expect(res.location).toMatch(/^http:\/\/127\.0\.0\.1:9\/verify\?/);
    }
    expect(hitsUnder('/a/')).toEqual([{ path: '/a/xrds/', accept: expect.stringContaining('application/xrds+xml') }]);
    const requests = await recorded(app);
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(request).toMatchObject({ returnToVerification: 'VERIFIED', returnToVerificationReason: null });
      expect(request.timeline.map((t) => [t.event, t.reason])).toEqual([
        ['VERIFY_RETURN_TO', 'VERIFIED'],
        ['HANDOFF', null],
      ]);
    }
  });

  it('follows an X-XRDS-Location meta tag one hop (Yadis)', async () => {
    await createTestCustomer(app, 'acme', { returnToVerification: ReturnToVerification.REQUIRE });
    const realm = `${site.origin}/b/meta/`;
    const res = await browserGet(checkid(app.config.PUBLIC_URL, 'acme', realm, `${realm}finish`));
    expect(res.status).toBe(302);
    expect(hitsUnder('/b/').map((h) => h.path)).toEqual(['/b/meta/', '/b/meta/doc.xrds']);
    expect((await recorded(app))[0]).toMatchObject({ returnToVerification: 'VERIFIED' });
  });

  it('under RECORD, lets an RP without XRDS sign in and records it UNVERIFIED; the failure is cached too', async () => {
    await createTestCustomer(app, 'acme');
    const realm = `${site.origin}/c/plain/`;
    for (let i = 0; i < 2; i++) {
      const res = await browserGet(checkid(app.config.PUBLIC_URL, 'acme', realm, `${realm}finish`));
      expect(res.status).toBe(302);
      expect(res.location).toMatch(/^http:\/\/127\.0\.0\.1:9\/verify\?/);
    }
    expect(hitsUnder('/c/')).toHaveLength(1);
    const [request] = await recorded(app);
    expect(request).toMatchObject({ returnToVerification: 'UNVERIFIED', returnToVerificationReason: 'no_xrds' });
    expect(request!.timeline[0]).toEqual({ event: 'VERIFY_RETURN_TO', reason: 'UNVERIFIED: no_xrds' });
  });

  it.each([
    ['an RP without XRDS', '/d/plain/', 'finish'],
    ['a return_to the XRDS does not list', '/e/xrds/', 'other'],
    ['a realm that redirects to another site', '/f/away/', 'finish'],
  ])('under REQUIRE, refuses %s with a 400 page and starts no sign-in', async (_case, path, leaf) => {
    await createTestCustomer(app, 'acme', { returnToVerification: ReturnToVerification.REQUIRE });
    const realm = `${site.origin}${path}`;
    const res = await browserGet(checkid(app.config.PUBLIC_URL, 'acme', realm, `${realm}${leaf}`));
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
    expect(res.body).toContain('could not be verified');
    expect(await ownerSql('select count(*)::int as n from auth_request')).toEqual([{ n: 0 }]);
  });

  it('under OFF, fetches nothing and records SKIPPED', async () => {
    await createTestCustomer(app, 'acme', { returnToVerification: ReturnToVerification.OFF });
    const realm = `${site.origin}/g/xrds/`;
    const res = await browserGet(checkid(app.config.PUBLIC_URL, 'acme', realm, `${realm}finish`));
    expect(res.status).toBe(302);
    expect(hitsUnder('/g/')).toHaveLength(0);
    expect((await recorded(app))[0]).toMatchObject({ returnToVerification: 'SKIPPED', returnToVerificationReason: null });
  });

  it('shows the setting on Customer, defaults it to RECORD, and audits a change', async () => {
    const { customer } = await createTestCustomer(app, 'acme');
    const update = await graphql<{ updateCustomer: { customer: { returnToVerification: string } } }>(
      app.url!,
      `mutation($id: ID!) { updateCustomer(id: $id, input: { returnToVerification: REQUIRE }) { customer { returnToVerification } } }`,
      { id: customer.id },
    );
    expect(update.data!.updateCustomer.customer.returnToVerification).toBe('REQUIRE');
    const bad = await graphql(app.url!, `mutation($id: ID!) { updateCustomer(id: $id, input: { returnToVerification: null }) { customer { id } } }`, { id: customer.id });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // ROLE=api runs no audit worker: the events wait in the outbox.
    const [created] = await ownerSql(`select details from audit_outbox where action = 'customer.created'`);
    expect(created.details.settings.returnToVerification).toBe('RECORD');
    const [updated] = await ownerSql(`select details from audit_outbox where action = 'customer.updated'`);
    expect(updated.details.changed).toEqual({ returnToVerification: { old: 'RECORD', new: 'REQUIRE' } });
  });
});

describe('RP discovery under the SSRF address policy (no private URLs allowed)', () => {
  let app: App;
  let site: Awaited<ReturnType<typeof startRpSite>>;

  beforeAll(async () => {
    site = await startRpSite((path, origin) => ({ status: 200, contentType: 'application/xrds+xml', body: returnToXrds([`${origin}${path}finish`]) }));
    app = await startPublicTestApp();
  });
  afterAll(async () => {
    await app.stop();
    await site.stop();
  });

  it('never fetches a loopback realm: RECORD records FAILED url_refused, REQUIRE refuses', async () => {
    await resetDatabase();
    await createTestCustomer(app, 'acme');
    await createTestCustomer(app, 'strict', { returnToVerification: ReturnToVerification.REQUIRE });
    const realm = `${site.origin}/`;
    const recordRes = await browserGet(checkid(app.config.PUBLIC_URL, 'acme', realm, `${realm}finish`));
    expect(recordRes.status).toBe(302);
    expect(await ownerSql('select return_to_verification, return_to_verification_reason from auth_request')).toEqual([
      { return_to_verification: 'FAILED', return_to_verification_reason: 'url_refused' },
    ]);
    const requireRes = await browserGet(checkid(app.config.PUBLIC_URL, 'strict', realm, `${realm}finish`));
    expect(requireRes.status).toBe(400);
    expect(requireRes.location).toBeNull();
    expect(site.hits).toHaveLength(0);
  });
});

describe('RP discovery under a flood of realms from one address', () => {
  let app: App;
  let site: Awaited<ReturnType<typeof startRpSite>>;
  beforeAll(async () => {
    site = await startRpSite(() => ({ status: 200, contentType: 'text/html', body: '<html><head><title>No XRDS</title></head></html>' }));
    app = await startPublicTestApp({
      RP_DISCOVERY_ALLOW_PRIVATE_URLS: 'true',
      RATE_LIMIT_RP_DISCOVERY_PER_ADDRESS: '2',
      // Counters of its own, so other files' requests from 127.0.0.1 do not count here.
      QUEUE_PREFIX: `${testQueuePrefix()}-discovery-${randomUUID()}`,
    });
    await resetDatabase();
    await createTestCustomer(app, 'flood');
  });
  afterAll(async () => {
    await app.stop();
    await site.stop();
  });

  it('fetches at most RATE_LIMIT_RP_DISCOVERY_PER_ADDRESS new realms per window, answering 429 beyond, while cached realms still sign in', async () => {
    const realms = [1, 2, 3].map((n) => `${site.origin}/flood-${n}/`);
    expect((await browserGet(checkid(app.config.PUBLIC_URL, 'flood', realms[0]!, `${realms[0]}finish`))).status).toBe(302);
    expect((await browserGet(checkid(app.config.PUBLIC_URL, 'flood', realms[1]!, `${realms[1]}finish`))).status).toBe(302);
    const third = await browserGet(checkid(app.config.PUBLIC_URL, 'flood', realms[2]!, `${realms[2]}finish`));
    expect(third.status).toBe(429);
    expect(third.location).toBeNull();
    expect(site.hits.map((h) => h.path)).toEqual(['/flood-1/', '/flood-2/']);
    // A realm already in the cache needs no fetch, so it is not held back by the limit.
    expect((await browserGet(checkid(app.config.PUBLIC_URL, 'flood', realms[0]!, `${realms[0]}finish?again`))).status).toBe(302);
    expect(await ownerSql(`select count(*)::int as n from auth_request`)).toEqual([{ n: 3 }]);
  });
});
