import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp, startTestApp } from '../../support/app';
import { testQueuePrefix } from '../../support/env';
import { fullLogin } from '../../support/full-login';
import { graphql } from '../../support/graphql';
import { clientToken } from '../../support/oauth';
import { sdk } from '../../support/sdk';
import { waitUntil } from '../../support/wait';
import { docExample } from '../../support/doc-examples';
import { CustomerDocument } from '../../../clients/typescript/src';
import * as client from 'openid-client';
import { authorizationUrl, discoverRp, registerRp, signIn } from '../../support/oidc-flow';

const TOKEN = 'metrics-token-0123456789abcdef0123456789';
const SLUG = 'zebracorp';
const USERNAME = 'quentin-metrics-person';

/** The scrape as series → value (`name{labels}` exactly as exposed, labels in prom-client's order). */
function parseScrape(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

/** The value of the one series of `name` whose labels include every pair of `labels` (0 when none). */
function valueOf(series: Map<string, number>, name: string, labels: Record<string, string>): number {
  let total = 0;
  let found = 0;
  for (const [key, value] of series) {
    if (key !== name && !key.startsWith(`${name}{`)) continue;
    const pairs = new Map([...key.slice(name.length).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    // Exactly the given labels: a series with a label not asked for (a `reason`) is another series.
    if (pairs.size !== Object.keys(labels).length || Object.entries(labels).some(([k, v]) => pairs.get(k) !== v)) continue;
    total += value;
    found++;
  }
  if (found > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found} series`);
  return total;
}

async function scrape(app: App, token: string | null = TOKEN): Promise<{ status: number; text: string; contentType: string | null }> {
  const res = await fetch(`${app.url}/metrics`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') };
}

describe('Prometheus metrics', () => {
  let app: App;

  beforeAll(async () => {
    app = await startPublicTestApp({ ROLE: 'all', METRICS_TOKEN: TOKEN, QUEUE_PREFIX: `${testQueuePrefix()}-metrics-${randomUUID()}`, AUDIT_DRAIN_INTERVAL_MS: '100' });
  });
  afterAll(() => app.stop());
  beforeEach(() => resetDatabase());

  it('counts one sign-in, one SDK operation and one token grant exactly, by route template, with no personal data in any label', async () => {
    const { customer, apiKey } = await createTestCustomer(app, SLUG);
    const before = parseScrape((await scrape(app)).text);

    expect(await fullLogin(app.config.PUBLIC_URL, SLUG, apiKey, USERNAME)).toBe(true);
    expect((await sdk(app).request(CustomerDocument, { id: customer.id })).customer?.slug).toBe(SLUG);
    // An operation named by its client: counted, but never under that name.
    const named = await graphql(app.url!, `query Steal_${USERNAME.replace(/-/g, '_')} { __typename }`);
    expect(named.status).toBe(200);
    await clientToken(app, customer.id, ['profiles:read']);
    const refused = await fetch(`${app.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=password&username=x' });
    expect(refused.status).toBe(400);
    // The audit drain (its own repeatable job) has moved the sign-in's events onto their chains.
    await waitUntil('the audit drain to empty the outbox', async () => (await ownerSql('select count(*)::int as n from audit_outbox where audited_at is null'))[0].n === 0);

    const { status, text, contentType } = await scrape(app);
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const after = parseScrape(text);
    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);

    // The sign-in: started, the postback accepted, consent shown, completed; nothing refused, cancelled or expired.
    expect(delta('ids_login_flow_steps_total', { region: 'EU', protocol: 'openid2', step: 'started', outcome: 'ok' })).toBe(1);
    expect(delta('ids_login_flow_steps_total', { region: 'EU', step: 'postback', outcome: 'accepted' })).toBe(1);
    expect(delta('ids_login_flow_steps_total', { region: 'EU', protocol: 'openid2', step: 'consent', outcome: 'shown' })).toBe(1);
    expect(delta('ids_login_flow_steps_total', { region: 'EU', protocol: 'openid2', step: 'end', outcome: 'completed' })).toBe(1);
    for (const outcome of ['cancelled', 'expired', 'refused']) expect(text).not.toMatch(new RegExp(`ids_login_flow_steps_total\\{[^}]*outcome="${outcome}"`));

    // HTTP by route template.
    expect(delta('ids_http_requests_total', { method: 'GET', route: '/c/:slug/openid', status: '302' })).toBe(1);
    expect(delta('ids_http_requests_total', { method: 'POST', route: '/c/:slug/ows_auth', status: '200' })).toBe(1);
    expect(delta('ids_http_requests_total', { method: 'GET', route: '/c/:slug/ows_return', status: '200' })).toBe(1);
    expect(delta('ids_http_requests_total', { method: 'POST', route: '/c/:slug/ows_consent', status: '302' })).toBe(1);
    expect(delta('ids_http_requests_total', { method: 'POST', route: '/oauth/token', status: '200' })).toBe(1);
    expect(delta('ids_http_requests_total', { method: 'POST', route: '/oauth/token', status: '400' })).toBe(1);
    expect(delta('ids_http_requests_total', { method: 'POST', route: '/graphql', status: '200' })).toBe(2);
    expect(delta('ids_http_request_duration_seconds_count', { method: 'POST', route: '/c/:slug/ows_auth', status: '200' })).toBe(1);
    // The RP's discovery of the claimed identifier (it names the user) is counted under its template.
    expect(valueOf(after, 'ids_http_requests_total', { method: 'GET', route: '/c/:slug/id/:username', status: '200' })).toBeGreaterThanOrEqual(1);
    const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
    for (const route of routes) expect(route === 'unmatched' || route!.startsWith('/')).toBe(true);

    // GraphQL by operation name: ours by name, the client's own name as `other`.
    expect(delta('ids_graphql_operations_total', { region: 'EU', operation: 'Customer', result: 'ok' })).toBe(1);
    expect(delta('ids_graphql_operations_total', { region: 'EU', operation: 'other', result: 'ok' })).toBe(1);

    // Token grants by type and result.
    expect(delta('ids_oauth_token_grants_total', { grant_type: 'client_credentials', result: 'success' })).toBe(1);
    expect(delta('ids_oauth_token_grants_total', { grant_type: 'other', result: 'unsupported_grant_type' })).toBe(1);

    // The audit queue: the drain's jobs completed (it runs on a schedule, so at least once), their durations, and the depths by state.
    expect(valueOf(after, 'ids_jobs_total', { region: 'EU', queue: 'audit', result: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(after, 'ids_job_duration_seconds_count', { region: 'EU', queue: 'audit' })).toBeGreaterThanOrEqual(1);
    for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed']) expect(after.has(`ids_queue_jobs{region="EU",queue="audit",state="${state}"}`)).toBe(true);

    // The outbox lag and backlog, the pools and the process.
    expect(after.has('ids_audit_outbox_lag_seconds{region="EU"}')).toBe(true);
    expect(after.has('ids_audit_outbox_undrained{region="EU"}')).toBe(true);
    for (const pool of ['app', 'platform', 'login', 'platform_sql']) {
      for (const state of ['total', 'idle', 'waiting']) expect(after.has(`ids_db_pool_connections{region="EU",pool="${pool}",state="${state}"}`)).toBe(true);
    }
    expect(valueOf(after, 'ids_db_pool_connections', { region: 'EU', pool: 'platform', state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(after.has('ids_process_cpu_seconds_total')).toBe(true);

    // Nothing personal or customer-chosen anywhere in the scrape.
    for (const secret of [USERNAME, `${USERNAME}@example.org`, SLUG, 'rp.example.org', 'Steal_']) expect(text).not.toContain(secret);
  });

  it('counts a refused postback by its reason code', async () => {
    const { apiKey } = await createTestCustomer(app, SLUG);
    const before = parseScrape((await scrape(app)).text);
    const wrong = await fetch(`${app.url}/c/${SLUG}/ows_auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request_id: 'x'.repeat(32), api_key: apiKey, username: USERNAME }).toString(),
    });
    expect(wrong.status).toBe(404);
    const after = parseScrape((await scrape(app)).text);
    expect(valueOf(after, 'ids_login_flow_steps_total', { region: 'EU', step: 'postback', outcome: 'refused', reason: 'unknown_request' }) - valueOf(before, 'ids_login_flow_steps_total', { region: 'EU', step: 'postback', outcome: 'refused', reason: 'unknown_request' })).toBe(1);
  });

  it('counts OpenID Connect sign-ins by protocol, completed and declined, and the code exchange as a grant', async () => {
    const { customer, apiKey } = await createTestCustomer(app, SLUG);
    const config = await discoverRp(app, SLUG, await registerRp(app, customer.id));
    const before = parseScrape((await scrape(app)).text);
    const fields = { username: USERNAME, sreg_email: `${USERNAME}@example.org` };
    const allowed = await authorizationUrl(config, 'openid email');
    const { location } = await signIn(app, SLUG, apiKey, allowed.url, fields);
    await client.authorizationCodeGrant(config, location, allowed.checks);
    const declined = await authorizationUrl(config, 'openid email');
    expect((await signIn(app, SLUG, apiKey, declined.url, fields, { decision: 'deny' })).location.searchParams.get('error')).toBe('access_denied');
    const text = (await scrape(app)).text;
    const after = parseScrape(text);
    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta('ids_login_flow_steps_total', { region: 'EU', protocol: 'oidc', step: 'started', outcome: 'ok' })).toBe(2);
    expect(delta('ids_login_flow_steps_total', { region: 'EU', protocol: 'oidc', step: 'consent', outcome: 'shown' })).toBe(2);
    expect(delta('ids_login_flow_steps_total', { region: 'EU', protocol: 'oidc', step: 'end', outcome: 'completed' })).toBe(1);
    expect(delta('ids_login_flow_steps_total', { region: 'EU', protocol: 'oidc', step: 'end', outcome: 'cancelled' })).toBe(1);
    expect(delta('ids_oauth_token_grants_total', { grant_type: 'authorization_code', result: 'success' })).toBe(1);
    expect(delta('ids_http_requests_total', { method: 'POST', route: '/c/:slug/oidc/token', status: '200' })).toBe(1);
    for (const secret of [USERNAME, SLUG, 'rp.example.org']) expect(text).not.toContain(secret);
  });

  it('serves /metrics on the main port only with the right bearer token', async () => {
    expect((await scrape(app, null)).status).toBe(401);
    const wrong = await scrape(app, TOKEN.replace(/.$/, 'X'));
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('ids_');
    expect((await scrape(app, TOKEN)).status).toBe(200);
  });

  it('answers the README scrape configuration and curl line as documented', async () => {
    const config = parseYaml(docExample('README.md', 'metrics-scrape-config').body) as {
      scrape_configs: Array<{ job_name: string; metrics_path: string; authorization?: { type: string; credentials_file: string }; static_configs: Array<{ targets: string[] }> }>;
    };
    const api = config.scrape_configs.find((c) => c.authorization)!;
    // As Prometheus would scrape it: the target's host and port are this test's, the token the credentials file's.
    const res = await fetch(`${app.url}${api.metrics_path}`, { headers: { authorization: `${api.authorization!.type} ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(api.static_configs[0]!.targets[0]).toBe('127.0.0.1:3000');

    const curl = docExample('README.md', 'metrics-curl').body.replace('http://127.0.0.1:3000', app.url!);
    // Asynchronously: the service answering it runs in this process.
    const { stdout: out } = await promisify(execFile)('bash', ['-o', 'pipefail', '-c', curl], { env: { PATH: process.env.PATH, METRICS_TOKEN: TOKEN }, encoding: 'utf8', timeout: 10_000 });
    expect(out).toMatch(/^ids_http_requests_total\{method="GET",route="\/metrics",status="200"\} \d+$/m);
  });
});

describe('Prometheus metrics without a token or on their own port', () => {
  it('answers 404 for /metrics on the main port when no METRICS_TOKEN is set, whatever is presented', async () => {
    const app = await startTestApp({ QUEUE_PREFIX: `${testQueuePrefix()}-metrics-${randomUUID()}` });
    try {
      expect((await scrape(app, null)).status).toBe(404);
      expect((await scrape(app, TOKEN)).status).toBe(404);
      expect(app.metricsUrl).toBeNull();
    } finally {
      await app.stop();
    }
  });

  it('serves a worker-role app on METRICS_PORT without a token, and stops that listener with the app', async () => {
    const app = await startTestApp({ ROLE: 'worker', METRICS_PORT: '0', QUEUE_PREFIX: `${testQueuePrefix()}-metrics-${randomUUID()}`, AUDIT_DRAIN_INTERVAL_MS: '100' });
    let url: string;
    try {
      expect(app.url).toBeNull();
      url = app.metricsUrl!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await waitUntil('a drain job to be counted', async () => valueOf(parseScrape(await (await fetch(`${url}/metrics`)).text()), 'ids_jobs_total', { region: 'EU', queue: 'audit', result: 'completed' }) >= 1);
      const config = parseYaml(docExample('README.md', 'metrics-scrape-config').body) as { scrape_configs: Array<{ job_name: string; metrics_path: string; authorization?: unknown }> };
      const worker = config.scrape_configs.find((c) => !c.authorization)!;
      const res = await fetch(`${url}${worker.metrics_path}`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain('ids_queue_jobs{region="EU",queue="audit",state="waiting"}');
      expect(text).not.toContain('ids_http_requests_total{');
      expect((await fetch(`${url}/other`)).status).toBe(404);
    } finally {
      await app.stop();
    }
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
  });
});
