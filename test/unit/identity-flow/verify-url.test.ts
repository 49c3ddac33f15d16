import { buildVerifyUrl, type VerifyUrlInput } from '../../../src/identity-flow/verify-url';
import type { PapeRequest } from '../../../src/openid';

const REQUEST_ID = '3q2-7wHkX0e8Tq1mZr9sYc4bVn6pLa2d';

/** The docs/protocol.md#vectors-messages Step 1 request, as Step 2 sees it. */
function input(overrides: Partial<VerifyUrlInput> = {}, request: Partial<VerifyUrlInput['request']> = {}): VerifyUrlInput {
  return {
    verifyUrl: 'https://aw.example.com/verify',
    requestId: REQUEST_ID,
    request: {
      realm: 'https://rp.example.org/',
      sreg: { namespace: 'http://openid.net/extensions/sreg/1.1', required: ['email'], optional: ['nickname', 'fullname'] },
      ...request,
    },
    requested: { required: ['email'], optional: ['nickname', 'fullname'] },
    usernameHint: null,
    ...overrides,
  };
}

function pape(maxAuthAgeSeconds: number): PapeRequest {
  return { preferredAuthPolicies: [], preferredAuthLevelTypes: [], isNoPiiRequested: false, maxAuthAgeSeconds };
}

function params(url: string): URLSearchParams {
  return new URL(url).searchParams;
}

describe('buildVerifyUrl (docs/protocol.md#verify-url)', () => {
  it('produces the §11.6 Step 2 Location exactly', () => {
    expect(buildVerifyUrl(input())).toBe(
      'https://aw.example.com/verify?request_id=3q2-7wHkX0e8Tq1mZr9sYc4bVn6pLa2d&realm=https%3A%2F%2Frp.example.org%2F&requested_attributes=sreg_email%2Csreg_nickname%2Csreg_fullname&required_attributes=sreg_email',
    );
  });

  it('appends with & after a query the configured URL already has, keeping it', () => {
    const url = buildVerifyUrl(input({ verifyUrl: 'https://aw.example.com/login.php?site=7&lang=en' }));
    expect(url.startsWith(`https://aw.example.com/login.php?site=7&lang=en&request_id=${REQUEST_ID}&`)).toBe(true);
    expect(params(url).get('site')).toBe('7');
    expect(params(url).get('request_id')).toBe(REQUEST_ID);
  });

  it('does not double the separator when the configured URL ends in ? or &', () => {
    expect(buildVerifyUrl(input({ verifyUrl: 'https://aw.example.com/verify?' }))).toMatch(/^https:\/\/aw\.example\.com\/verify\?request_id=/);
    expect(buildVerifyUrl(input({ verifyUrl: 'https://aw.example.com/verify?a=1&' }))).toMatch(/^https:\/\/aw\.example\.com\/verify\?a=1&request_id=/);
  });

  it('drops a fragment of the configured URL so the parameters reach the AW', () => {
    const url = buildVerifyUrl(input({ verifyUrl: 'https://aw.example.com/verify#top' }));
    expect(url).not.toContain('#');
    expect(url.startsWith(`https://aw.example.com/verify?request_id=${REQUEST_ID}&`)).toBe(true);
  });

  it('drops a fragment that itself contains ? or &', () => {
    const url = buildVerifyUrl(input({ verifyUrl: 'https://aw.example.com/verify?a=1#frag?x=1&y' }));
    expect(url.startsWith(`https://aw.example.com/verify?a=1&request_id=${REQUEST_ID}&`)).toBe(true);
    expect(url).not.toContain('frag');
  });

  it('leaves out the attribute lists when no attribute is requested', () => {
    const url = buildVerifyUrl(input({ requested: { required: [], optional: [] } }, { sreg: undefined }));
    expect(url).toBe('https://aw.example.com/verify?request_id=3q2-7wHkX0e8Tq1mZr9sYc4bVn6pLa2d&realm=https%3A%2F%2Frp.example.org%2F');
  });

  it('lists optional attributes without a required_attributes when none is required', () => {
    const url = buildVerifyUrl(input({ requested: { required: [], optional: ['nickname'] } }));
    expect(params(url).get('requested_attributes')).toBe('sreg_nickname');
    expect(params(url).has('required_attributes')).toBe(false);
  });

  it('leaves out policy_url, username_hint and max_auth_age when the request has none', () => {
    const url = buildVerifyUrl(input({}, { pape: { preferredAuthPolicies: [], preferredAuthLevelTypes: [], isNoPiiRequested: false } }));
    for (const name of ['policy_url', 'username_hint', 'max_auth_age', 'immediate']) expect(params(url).has(name)).toBe(false);
  });

  it('includes the RP’s sreg policy_url when it sent one', () => {
    const url = buildVerifyUrl(
      input({}, { sreg: { namespace: 'http://openid.net/extensions/sreg/1.1', required: ['email'], optional: [], policyUrl: 'https://rp.example.org/privacy?v=2' } }),
    );
    expect(url).toContain('&policy_url=https%3A%2F%2Frp.example.org%2Fprivacy%3Fv%3D2');
    expect(params(url).get('policy_url')).toBe('https://rp.example.org/privacy?v=2');
  });

  it('includes username_hint when the RP asked about a specific identifier, and not when it is empty', () => {
    expect(params(buildVerifyUrl(input({ usernameHint: 'alice' }))).get('username_hint')).toBe('alice');
    expect(params(buildVerifyUrl(input({ usernameHint: '' }))).has('username_hint')).toBe(false);
  });

  it('includes max_auth_age when PAPE asked, including 0 (force re-authentication)', () => {
    expect(params(buildVerifyUrl(input({}, { pape: pape(3600) }))).get('max_auth_age')).toBe('3600');
    expect(params(buildVerifyUrl(input({}, { pape: pape(0) }))).get('max_auth_age')).toBe('0');
  });

  it('encodes spaces as %20 and a plus as %2B, so AWs decoding either way read the same value', () => {
    const url = buildVerifyUrl(input({ usernameHint: 'alice smith+tag' }));
    expect(url).toContain('username_hint=alice%20smith%2Btag');
    expect(url).not.toContain('+');
  });

  it('encodes a realm with a wildcard and a query so it cannot add parameters of its own', () => {
    const url = buildVerifyUrl(input({}, { realm: 'https://*.rp.example.org/?x=1&request_id=evil' }));
    expect(params(url).getAll('request_id')).toEqual([REQUEST_ID]);
    expect(params(url).get('realm')).toBe('https://*.rp.example.org/?x=1&request_id=evil');
  });
});
