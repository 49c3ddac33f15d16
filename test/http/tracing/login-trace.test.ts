import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { consentForm, REALM, RETURN_URL } from '../../support/flow';
import { relyingParty } from '../../support/rp';
import { TEST_ADMIN_TOKEN, testQueuePrefix } from '../../support/env';
import { waitUntil } from '../../support/wait';

/** Any loopback URL: with an injected exporter nothing is sent there, but tracing is on only when it is set. */
const ENDPOINT = 'http://127.0.0.1:9';
const USERNAME = 'tracy.login';
const EMAIL = 'tracy.secret@example.org';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const pending = async () => ((await ownerSql(`select count(*)::int as n from audit_outbox where audited_at is null`))[0] as { n: number }).n;

/**
 * One sign-in as an instrumented RP and login site would send it: every request carries a
 * `traceparent` of the RP's trace (a fresh span id each), cookies kept between the browser's hops.
 */
async function tracedSignIn(app: App, slug: string, apiKey: string, traceId: string): Promise<{ parents: string[]; authenticated: boolean }> {
  const parents: string[] = [];
  const cookies = new Map<string, string>();
  const send = async (url: string, init: { method?: string; form?: Array<[string, string]> } = {}) => {
    const parent = hex(8);
    parents.push(parent);
    const headers: Record<string, string> = { traceparent: `00-${traceId}-${parent}-01` };
    if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method: init.method ?? 'GET', redirect: 'manual', headers, ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}) });
    for (const line of res.headers.getSetCookie()) {
      const [name, ...value] = line.split(';')[0]!.split('=');
      cookies.set(name!.trim(), value.join('='));
    }
    return { status: res.status, location: res.headers.get('location'), body: await res.text() };
  };
  const rp = relyingParty({ returnUrl: RETURN_URL, realm: REALM, stateless: true, extensions: [] });
  const hop = await send(await rp.start(`${app.config.PUBLIC_URL}/c/${slug}/`));
  expect(hop.status).toBe(302);
  const requestId = new URL(hop.location!).searchParams.get('request_id')!;
  const posted = await send(`${app.url}/c/${slug}/ows_auth`, {
    method: 'POST',
    form: [['request_id', requestId], ['api_key', apiKey], ['username', USERNAME], ['sreg_email', EMAIL], ['no_prompt', 'false']],
  });
  expect(posted.status).toBe(200);
  let answer = await send(`${app.url}/c/${slug}/ows_return?request_id=${requestId}`);
  if (answer.status === 200) {
    const form = consentForm(answer.body);
    answer = await send(`${app.url}/c/${slug}/ows_consent`, {
      method: 'POST',
      form: [['auth_request', form.authRequest], ['csrf', form.csrf], ...form.shares.map((s): [string, string] => ['share', s]), ['decision', 'allow']],
    });
  }
  expect(answer.status).toBe(302);
  const result = await rp.verify(answer.location!);
  return { parents, authenticated: result.authenticated === true };
}

/** Every attribute value of every span (and of their events and links), as text. */
function attributeTexts(spans: readonly ReadableSpan[]): string[] {
  const out: string[] = [];
  const add = (attrs: Record<string, unknown> | undefined) => {
    for (const [key, value] of Object.entries(attrs ?? {})) out.push(`${key}=${Array.isArray(value) ? value.join(',') : String(value)}`);
  };
  for (const span of spans) {
    out.push(span.name);
    add(span.attributes);
    for (const event of span.events) add(event.attributes);
    for (const link of span.links) add(link.attributes);
  }
  return out;
}

describe('tracing (OpenTelemetry)', () => {
  const exporter = new InMemorySpanExporter();
  let app: App | undefined;

  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });

  it("links one sign-in's spans, from the RP's first request to the audit drain, and records no personal data or parameter value", async () => {
    await resetDatabase();
    app = await startPublicTestApp(
      { ROLE: 'all', QUEUE_PREFIX: `${testQueuePrefix()}-tracing`, AUDIT_DRAIN_INTERVAL_MS: '100', OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT },
      { traceExporter: exporter },
    );
    const { apiKey } = await createTestCustomer(app, 'acme');
    await waitUntil("the drain to chain the customer's creation", async () => (await pending()) === 0);
    exporter.reset();

    const traceId = hex(16);
    const { parents, authenticated } = await tracedSignIn(app, 'acme', apiKey, traceId);
    expect(authenticated).toBe(true);
    // One GraphQL operation of ours and one with a name we do not know, in the same trace.
    for (const query of ['query Me { me { kind } }', `query Steal_${EMAIL.replace(/\W/g, '_')} { __typename }`]) {
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}`, traceparent: `00-${traceId}-${hex(8)}-01` },
        body: JSON.stringify({ query }),
      });
      expect(res.status).toBe(200);
    }
    // A job the API enqueues continues the trace of the request that asked for it.
    const [profile] = await ownerSql(`select id from profile`);
    const exported = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}`, traceparent: `00-${traceId}-${hex(8)}-01` },
      body: JSON.stringify({ query: 'mutation RequestProfileExport($id: ID!) { requestProfileExport(profileId: $id) { profileExport { id } } }', variables: { id: profile.id } }),
    });
    expect(await exported.json()).toMatchObject({ data: { requestProfileExport: { profileExport: { id: expect.any(String) } } } });
    const exportJob = () => exporter.getFinishedSpans().find((s) => s.name === 'job exports/build-profile-export');
    await waitUntil('the export job to run', () => exportJob() !== undefined);
    expect(exportJob()!.spanContext().traceId).toBe(traceId);
    // Audit events written through the ORM keep their request's span too (Database.run sets it with the scope).
    const [requested] = await ownerSql(`select trace_parent from audit_outbox where action = 'profile.export_requested'`);
    expect(requested.trace_parent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    // A caller cannot keep its requests out of our traces by saying its own trace is not sampled.
    const unsampled = hex(16);
    expect((await fetch(`${app.url}/healthz`, { headers: { traceparent: `00-${unsampled}-${hex(8)}-00` } })).status).toBe(200);
    // A caller's tracestate and baggage are its own free text: neither rides along in our spans.
    const stated = hex(16);
    const withState = { traceparent: `00-${stated}-${hex(8)}-01`, tracestate: 'rp=alice-at-example-org', baggage: 'user=alice' };
    expect((await fetch(`${app.url}/healthz`, { headers: withState })).status).toBe(200);
    await waitUntil("the drain to chain the sign-in's audit events", async () => (await pending()) === 0);
    const drained = await ownerSql(`select trace_parent from audit_outbox where action = 'profile.created'`);
    expect(drained).toHaveLength(1);
    // The drain job whose span links to the sign-in may still be ending.
    const drainOf = (spans: readonly ReadableSpan[]) => spans.find((s) => s.name === 'job audit/drain-audit-outbox' && s.links.length > 0);
    await waitUntil('the audit drain span to end', () => drainOf(exporter.getFinishedSpans()) !== undefined);
    const spans = exporter.getFinishedSpans();
    expect(spans.filter((s) => s.spanContext().traceId === unsampled).map((s) => s.name)).toEqual(['HTTP GET /healthz']);
    const statedSpans = spans.filter((s) => s.spanContext().traceId === stated);
    expect(statedSpans.map((s) => s.name)).toEqual(['HTTP GET /healthz']);
    expect(statedSpans[0]!.spanContext().traceState).toBeUndefined();

    // Each request of the flow: a server span in the RP's trace, child of the span that sent it.
    const servers = spans.filter((s) => s.kind === 1 && s.spanContext().traceId === traceId);
    const names = servers.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['HTTP GET /c/:slug/openid', 'HTTP POST /c/:slug/ows_auth', 'HTTP GET /c/:slug/ows_return', 'HTTP POST /c/:slug/ows_consent', 'HTTP POST /graphql']));
    for (const server of servers.filter((s) => s.name !== 'HTTP POST /graphql')) expect(parents).toContain(server.parentSpanContext?.spanId);
    const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
    const childrenOf = (server: ReadableSpan) => inTrace.filter((s) => s.parentSpanContext?.spanId === server.spanContext().spanId);
    const postback = servers.find((s) => s.name === 'HTTP POST /c/:slug/ows_auth')!;
    // The postback's statement (the login path's pool) and the abuse guard's Redis commands are its children.
    expect(childrenOf(postback).map((s) => s.name)).toEqual(expect.arrayContaining(['SQL ids_flow_postback_sealed', expect.stringMatching(/^redis [A-Z]+$/)]));
    expect(inTrace.some((s) => s.name.startsWith('SQL ') && s.attributes['db.query.text'] !== undefined)).toBe(true);
    // The GraphQL operations: ours by name, the other as anonymous.
    expect(inTrace.map((s) => s.name)).toEqual(expect.arrayContaining(['GraphQL query Me', 'GraphQL query anonymous', 'GraphQL mutation RequestProfileExport']));
    // The export job's chain: the mutation's request, BullMQ's producer span, its consumer span, the handler's span.
    const byId = new Map(inTrace.map((s) => [s.spanContext().spanId, s]));
    const chain: string[] = [];
    for (let s: ReadableSpan | undefined = exportJob(); s; s = byId.get(s.parentSpanContext?.spanId ?? '')) chain.unshift(s.name);
    expect(chain).toEqual(['HTTP POST /graphql', 'add exports.build-profile-export', 'process exports', 'job exports/build-profile-export']);

    // The audit drain links to the request that wrote the sign-in's event (stored with the outbox row).
    const drain = drainOf(spans)!;
    const linked = drain.links.map((l) => l.context);
    expect(drained[0].trace_parent).toBe(`00-${traceId}-${postback.spanContext().spanId}-01`);
    expect(linked).toContainEqual(expect.objectContaining({ traceId, spanId: postback.spanContext().spanId }));
    // …and runs under BullMQ's consumer span, with the drain's own SQL as its children.
    expect(spans.some((s) => s.parentSpanContext?.spanId === drain.spanContext().spanId && s.name.startsWith('SQL '))).toBe(true);

    // No span says who signed in, or carries a parameter's value (the request id, the API key).
    const requestIds = (await ownerSql(`select id::text from auth_request union all select id::text from profile`)).map((r: { id: string }) => r.id);
    const texts = attributeTexts(spans).join('\n');
    for (const secret of [USERNAME, EMAIL, 'tracy', apiKey, ...requestIds, app.config.ADMIN_TOKEN.reveal()]) expect(texts).not.toContain(secret);
    expect(texts).not.toMatch(/tracy/i);
  }, 60_000);

  it('records nothing and wraps nothing when OTEL_EXPORTER_OTLP_ENDPOINT is unset', async () => {
    await resetDatabase();
    exporter.reset();
    app = await startPublicTestApp({ ROLE: 'all', QUEUE_PREFIX: `${testQueuePrefix()}-tracing-off`, AUDIT_DRAIN_INTERVAL_MS: '100' }, { traceExporter: exporter });
    const { apiKey } = await createTestCustomer(app, 'acme');
    const { authenticated } = await tracedSignIn(app, 'acme', apiKey, hex(16));
    expect(authenticated).toBe(true);
    await waitUntil('the drain to chain the sign-in', async () => (await pending()) === 0);
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(await ownerSql(`select 1 from audit_outbox where trace_parent is not null`)).toEqual([]);
    // The clients are the libraries' own: no instance method was put over a prototype's.
    const cell = app.regions[0]!;
    expect(Object.prototype.hasOwnProperty.call(app.redis, 'sendCommand')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(app.orm.em.getConnection(), 'executeQuery')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(app.platformOrm.em.getConnection(), 'executeQuery')).toBe(false);
    expect((cell.pool as Pool).listenerCount('connect')).toBe(0);
  }, 60_000);
});
