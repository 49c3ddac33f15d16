import {
  cachedRead,
  errorCodeLabel,
  flowResultStep,
  grantTypeLabel,
  knownOperationNames,
  methodLabel,
  operationLabel,
  postbackStep,
  reasonLabel,
  routeTemplate,
  tokenResultLabel,
} from '../../../../src/observability/metrics';
import type { FlowResult } from '../../../../src/identity-flow';

describe('metric labels', () => {
  it('names a request by its route template, never by its path', () => {
    expect(routeTemplate('/c/:slug/openid', '')).toBe('/c/:slug/openid');
    expect(routeTemplate('/c/:slug/id/:username', '')).toBe('/c/:slug/id/:username');
    expect(routeTemplate(undefined, '/graphql')).toBe('/graphql');
    // A mount reached by a concrete path (a rate limit in front of a route answered it) is not a template.
    expect(routeTemplate(undefined, '/c/acme/openid')).toBe('unmatched');
    expect(routeTemplate(undefined, '')).toBe('unmatched');
    expect(routeTemplate(/regex/, '')).toBe('unmatched');
  });

  it('names routes under our own fixed mounts with the mount path, never a mount holding request text', () => {
    expect(routeTemplate('/login', '/admin')).toBe('/admin/login');
    expect(routeTemplate('/logout', '/admin')).toBe('/admin/logout');
    expect(routeTemplate('/', '/admin')).toBe('/admin');
    expect(routeTemplate(undefined, '/admin')).toBe('unmatched');
    // The board's API: one series per method whatever the queue, job or state in its path.
    expect(routeTemplate('/api/queues', '/admin/queues')).toBe('/admin/queues/api/*');
    expect(routeTemplate('/api/queues/:queueName/:jobId/retry', '/admin/queues')).toBe('/admin/queues/api/*');
    expect(routeTemplate(['/', '/queue/:queueName', '/queue/:queueName/:jobId'], '/admin/queues')).toBe('/admin/queues');
    expect(routeTemplate(undefined, '/admin/queues')).toBe('/admin/queues');
    expect(routeTemplate(undefined, '/admin/queues/static')).toBe('/admin/queues/static');
    // A route under a mount with parameters: its baseUrl is the request's path (a slug), so never in a label.
    expect(routeTemplate('/login', '/c/acme/openid')).toBe('unmatched');
    expect(routeTemplate('/', '/c/acme')).toBe('unmatched');
    expect(routeTemplate('/login', '/admin/other')).toBe('unmatched');
    // The dashboard: its two API routes by name, its files and pages as one, whatever the path.
    expect(routeTemplate('/', '/dashboard/api/session')).toBe('/dashboard/api/session');
    expect(routeTemplate('/api/graphql', '/dashboard')).toBe('/dashboard/api/graphql');
    expect(routeTemplate('/{*path}', '/dashboard')).toBe('/dashboard/*');
    expect(routeTemplate(undefined, '/dashboard/assets')).toBe('/dashboard/*');
    expect(routeTemplate(undefined, '/dashboard/api/customers')).toBe('/dashboard/*');
    expect(routeTemplate(undefined, '/dashboard')).toBe('/dashboard/*');
  });

  it('bounds methods, grant types and token results to fixed sets', () => {
    expect(methodLabel('GET')).toBe('GET');
    expect(methodLabel('PROPFIND')).toBe('other');
    expect(grantTypeLabel('client_credentials')).toBe('client_credentials');
    expect(grantTypeLabel('refresh_token')).toBe('refresh_token');
    expect(grantTypeLabel('password')).toBe('other');
    expect(grantTypeLabel('urn:alice@example.org')).toBe('other');
    expect(grantTypeLabel(undefined)).toBe('other');
    expect(tokenResultLabel(200, undefined)).toBe('success');
    expect(tokenResultLabel(400, 'invalid_grant')).toBe('invalid_grant');
    expect(tokenResultLabel(401, 'invalid_client')).toBe('invalid_client');
    expect(tokenResultLabel(400, 'alice_was_here')).toBe('other');
    expect(tokenResultLabel(500, undefined)).toBe('other');
  });

  it('names GraphQL operations only from our clients\' documents, and results by a well-formed code', () => {
    const known = knownOperationNames();
    expect(known.has('Customer')).toBe(true);
    expect(known.has('AuditEvents')).toBe(true);
    expect(known.has('DashboardProfiles')).toBe(true);
    expect(operationLabel('Customer', known)).toBe('Customer');
    expect(operationLabel('StealEverything', known)).toBe('other');
    expect(operationLabel(null, known)).toBe('anonymous');
    expect(operationLabel('', known)).toBe('anonymous');
    expect(errorCodeLabel('UNAUTHENTICATED')).toBe('UNAUTHENTICATED');
    expect(errorCodeLabel('alice@example.org')).toBe('other');
    expect(errorCodeLabel(undefined)).toBe('other');
    expect(reasonLabel('INVALID_API_KEY')).toBe('invalid_api_key');
    expect(reasonLabel('<script>')).toBe('other');
  });

  it('maps each flow result and postback answer to one counted step', () => {
    const customer = {} as never;
    const request = {} as never;
    const cases: Array<[FlowResult, object]> = [
      [{ kind: 'assert', customer, request, outcome: {} as never }, { step: 'end', outcome: 'completed', protocol: 'openid2' }],
      [{ kind: 'cancel', request }, { step: 'end', outcome: 'cancelled', protocol: 'openid2' }],
      [{ kind: 'oidc', customer, request, answer: { code: 'c' } }, { step: 'end', outcome: 'completed', protocol: 'oidc' }],
      [{ kind: 'oidc', customer, request, answer: { error: 'access_denied', description: 'no' } }, { step: 'end', outcome: 'cancelled', protocol: 'oidc' }],
      [{ kind: 'consent', view: { client: null } as never }, { step: 'consent', outcome: 'shown', protocol: 'openid2' }],
      [{ kind: 'consent', view: { client: { name: 'x', logoUri: null, offlineAccess: false } } as never }, { step: 'consent', outcome: 'shown', protocol: 'oidc' }],
      [{ kind: 'account', customer, outcome: 'signed_in', profileId: 'p', username: 'u' }, { step: 'end', outcome: 'completed', protocol: 'account' }],
      [{ kind: 'account', customer, outcome: 'cancelled', profileId: null, username: null }, { step: 'end', outcome: 'cancelled', protocol: 'account' }],
      [{ kind: 'refused', code: 'REQUEST_EXPIRED' }, { step: 'end', outcome: 'expired' }],
      [{ kind: 'refused', code: 'FOREIGN_BROWSER' }, { step: 'end', outcome: 'refused', reason: 'foreign_browser' }],
    ];
    for (const [result, step] of cases) expect(flowResultStep(result)).toEqual(step);
    expect(postbackStep(null)).toEqual({ step: 'postback', outcome: 'accepted' });
    expect(postbackStep('REQUEST_EXPIRED')).toEqual({ step: 'postback', outcome: 'refused', reason: 'request_expired' });
  });
});

describe('cachedRead', () => {
  it('reads at most once per period, shares a read in flight, and forgets a failed read', async () => {
    let now = 0;
    let reads = 0;
    let fail = false;
    const read = cachedRead(async () => {
      reads++;
      if (fail) throw new Error('down');
      return reads;
    }, 5000, () => now);
    expect(await Promise.all([read(), read()])).toEqual([1, 1]);
    now = 4999;
    expect(await read()).toBe(1);
    now = 5000;
    fail = true;
    await expect(read()).rejects.toThrow('down');
    fail = false;
    expect(await read()).toBe(3);
    expect(reads).toBe(3);
  });
});
