import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { App } from '../../../src/app';
import { createTestCustomer, ownerSql, resetDatabase, startPublicTestApp } from '../../support/app';
import { graphql } from '../../support/graphql';
import { RETURN_URL, startLogin } from '../../support/flow';
import { testQueuePrefix } from '../../support/env';

/** Strings attackers try in every text field, mixed with arbitrary text. */
const INJECTIONS = [
  "' or '1'='1", "'; drop table customer; --", '" or 1=1 --', 'x\r\nSet-Cookie: ids_txn=evil', 'x\r\nLocation: https://evil.example/',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '${7*7}', '{{7*7}}', '../../etc/passwd', '%00', '\u0000', '\u202e',
  'https://evil.example/', '//evil.example', 'javascript:alert(1)', 'a'.repeat(10_240),
];
const hostile = fc.oneof(fc.constantFrom(...INJECTIONS), fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ maxLength: 300 }));
const pairs = fc.array(fc.tuple(fc.oneof(fc.constantFrom('request_id', 'auth_request', 'csrf', 'decision', 'share', 'remember', 'grant_type', 'client_id', 'client_secret', 'code', 'scope', 'token'), hostile), hostile), {
  maxLength: 8,
});

/** What may never appear in an answer: an internal error, a stack, or an injected header or markup echoed back. */
function expectContained(status: number, body: string, headers: Headers): void {
  expect(status).toBeGreaterThanOrEqual(200);
  expect(status).toBeLessThan(500);
  expect(body).not.toMatch(/internal_error|INTERNAL_SERVER_ERROR|\bat .+\(|node_modules/);
  expect(body).not.toContain('<script>alert');
  expect(body).not.toContain('onerror=alert');
  expect(headers.get('set-cookie') ?? '').not.toContain('evil');
  expect(headers.get('location') ?? '').not.toMatch(/^(https?:)?\/\/evil\.example/);
}

const runs = { numRuns: 40 };

describe('hostile input at the HTTP edge (property)', () => {
  let app: App;
  let customerId: string;
  beforeAll(async () => {
    app = await startPublicTestApp({
      QUEUE_PREFIX: `${testQueuePrefix()}-hostile-${randomUUID()}`,
      RATE_LIMIT_CONSENT_PER_ADDRESS: '100000',
      RATE_LIMIT_OPENID_PER_ADDRESS: '100000',
      RATE_LIMIT_TOKEN_PER_CLIENT: '100000',
      AUTH_FAILURE_LIMIT: '100000',
    });
    await resetDatabase();
    ({ customer: { id: customerId } } = await createTestCustomer(app, 'acme'));
  });
  afterAll(() => app.stop());

  it('the Return URL answers arbitrary query strings with a page or the verified return_to, never an error of ours, a redirect elsewhere or an echo', async () => {
    const { browser } = await startLogin(app, 'acme');
    await fc.assert(
      fc.asyncProperty(pairs, async (fields) => {
        const query = fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const res = await browser.get(`${app.url}/c/acme/ows_return?${query}`);
        expectContained(res.status, res.body, res.headers);
        // The one redirect allowed goes to the RP's verified return_to (the browser's cookie names the request).
        if (res.status === 302) expect(res.location!.startsWith(`${RETURN_URL.split('?')[0]}?`)).toBe(true);
      }),
      runs,
    );
  });

  it('the consent form refuses arbitrary submissions and records no decision', async () => {
    const { browser } = await startLogin(app, 'acme');
    await fc.assert(
      fc.asyncProperty(pairs, async (fields) => {
        const res = await browser.postForm(`${app.url}/c/acme/ows_consent`, fields);
        expectContained(res.status, res.body, res.headers);
        expect(res.status).toBeGreaterThanOrEqual(400);
      }),
      runs,
    );
    expect(await ownerSql(`select count(*)::int as n from consent_decision`)).toEqual([{ n: 0 }]);
  });

  it('the token endpoint answers arbitrary forms with an RFC 6749 error in JSON and issues nothing', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, fc.option(hostile.map((h) => `Basic ${Buffer.from(h).toString('base64')}`)), async (fields, authorization) => {
        const res = await fetch(`${app.url}/oauth/token`, {
          method: 'POST',
          body: new URLSearchParams(fields).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
        });
        const body = await res.text();
        expectContained(res.status, body, res.headers);
        expect([400, 401]).toContain(res.status);
        expect(JSON.parse(body).error).toMatch(/^(invalid_request|invalid_client|invalid_grant|unsupported_grant_type|invalid_scope|unauthorized_client)$/);
      }),
      runs,
    );
    expect(await ownerSql(`select count(*)::int as n from oauth_access_token`)).toEqual([{ n: 0 }]);
  });

  it('GraphQL text inputs: arbitrary and injected strings are stored verbatim or refused as bad input, never an internal error', async () => {
    const mutation = `mutation($id: ID!, $name: String!, $verifyUrl: String!) { updateCustomer(id: $id, input: { name: $name, verifyUrl: $verifyUrl }) { customer { name verifyUrl } } }`;
    await fc.assert(
      fc.asyncProperty(hostile, fc.oneof(hostile, fc.constant('https://login.example.com/verify')), async (name, verifyUrl) => {
        const res = await graphql<{ updateCustomer: { customer: { name: string; verifyUrl: string } } }>(app.url!, mutation, { id: customerId, name, verifyUrl });
        expect(JSON.stringify(res.errors ?? [])).not.toMatch(/INTERNAL_SERVER_ERROR/);
        if (res.errors) {
          expect(res.errors[0]!.extensions?.code).toBe('BAD_USER_INPUT');
          return;
        }
        // Stored as given (names are trimmed): SQL or markup in a name is data, never code.
        expect(res.data!.updateCustomer.customer.name).toBe(name.trim());
        const [row] = await ownerSql(`select name from customer where id = ?`, [customerId]);
        expect(row.name).toBe(name.trim());
      }),
      runs,
    );
    expect(await ownerSql(`select count(*)::int as n from customer`)).toEqual([{ n: 1 }]);
  });
});
