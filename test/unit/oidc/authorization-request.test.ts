import { AuthorizationPageError, AuthorizationRedirectError } from '../../../src/oidc/authorization-errors';
import { authorizationResponseUrl, AuthorizingClient, parseAuthorizationRequest } from '../../../src/oidc/authorization-request';

const CLIENT: AuthorizingClient = {
  id: '7c1d2a3e-0000-4000-8000-000000000001',
  clientId: 'rp-1',
  name: 'Example RP',
  logoUri: null,
  redirectUris: ['https://rp.example.org/cb', 'http://127.0.0.1:8080/cb'],
  scopes: ['openid', 'profile', 'email', 'offline_access'],
};
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

function params(overrides: Record<string, string | null> = {}, extra: Array<[string, string]> = []): Array<[string, string]> {
  const base: Record<string, string | null> = {
    client_id: 'rp-1',
    redirect_uri: 'https://rp.example.org/cb',
    response_type: 'code',
    scope: 'openid email',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    state: 'st-1',
    nonce: 'n-1',
    ...overrides,
  };
  return [...Object.entries(base).filter((e): e is [string, string] => e[1] !== null), ...extra];
}

function pageRefusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AuthorizationPageError) return err.refusal;
    throw err;
  }
  throw new Error('not refused');
}

function redirectError(fn: () => unknown): [string, string] {
  try {
    fn();
  } catch (err) {
    if (err instanceof AuthorizationRedirectError) return [err.error, err.description];
    throw err;
  }
  throw new Error('not refused');
}

describe('an OpenID Connect authorization request', () => {
  it('is stored with what the token endpoint checks, and nothing about the person', () => {
    const request = parseAuthorizationRequest(params({ login_hint: 'alice', max_age: '300', prompt: 'login consent', ui_locales: 'fr-CA en' }), CLIENT);
    expect(request.stored).toEqual({
      clientId: 'rp-1',
      clientRowId: CLIENT.id,
      clientName: 'Example RP',
      logoUri: null,
      redirectUri: 'https://rp.example.org/cb',
      state: 'st-1',
      nonce: 'n-1',
      codeChallenge: CHALLENGE,
      scopes: ['openid', 'email'],
      maxAge: 300,
      prompt: ['login', 'consent'],
      uiLocales: 'fr-CA en',
      acrValues: null,
    });
    expect(request.loginHint).toBe('alice');
    expect(JSON.stringify(request.stored)).not.toContain('alice');
    expect(request.isPromptNone).toBe(false);
  });

  it('keeps only the scopes the client is registered for, ignoring unknown ones', () => {
    expect(parseAuthorizationRequest(params({ scope: 'openid phone address profile made-up' }), CLIENT).stored.scopes).toEqual(['openid', 'profile']);
  });

  it.each([
    ['no client_id', params({ client_id: null }), 'MISSING_CLIENT_ID'],
    ['an unknown client', params({ client_id: 'rp-2' }), 'UNKNOWN_CLIENT'],
    ['no redirect_uri', params({ redirect_uri: null }), 'MISSING_REDIRECT_URI'],
    ['a redirect_uri not registered', params({ redirect_uri: 'https://rp.example.org/cb/other' }), 'UNREGISTERED_REDIRECT_URI'],
    ['a registered redirect_uri with a different query', params({ redirect_uri: 'https://rp.example.org/cb?x=1' }), 'UNREGISTERED_REDIRECT_URI'],
    ['a redirect_uri differing in case', params({ redirect_uri: 'https://RP.example.org/cb' }), 'UNREGISTERED_REDIRECT_URI'],
    ['a repeated redirect_uri', params({}, [['redirect_uri', 'https://rp.example.org/cb']]), 'REPEATED_PARAMETER'],
  ])('with %s is refused on a page, never redirected', (_name, request, refusal) => {
    expect(pageRefusal(() => parseAuthorizationRequest(request, request.some(([k, v]) => k === 'client_id' && v === 'rp-2') ? null : CLIENT))).toBe(refusal);
  });

  it.each([
    ['response_type token', params({ response_type: 'token' }), 'unsupported_response_type'],
    ['response_type id_token', params({ response_type: 'id_token' }), 'unsupported_response_type'],
    ['response_type code id_token', params({ response_type: 'code id_token' }), 'unsupported_response_type'],
    ['no response_type', params({ response_type: null }), 'invalid_request'],
    ['response_mode fragment', params({ response_mode: 'fragment' }), 'invalid_request'],
    ['no openid scope', params({ scope: 'email profile' }), 'invalid_scope'],
    ['no code_challenge', params({ code_challenge: null }), 'invalid_request'],
    ['the plain PKCE method', params({ code_challenge_method: 'plain' }), 'invalid_request'],
    ['no PKCE method', params({ code_challenge_method: null }), 'invalid_request'],
    ['a challenge that is not a SHA-256 digest', params({ code_challenge: 'short' }), 'invalid_request'],
    ['prompt none with login', params({ prompt: 'none login' }), 'invalid_request'],
    ['an unknown prompt', params({ prompt: 'sometimes' }), 'invalid_request'],
    ['a negative max_age', params({ max_age: '-1' }), 'invalid_request'],
    ['a request object', params({ request: 'eyJhbGciOiJub25lIn0.e30.' }), 'request_not_supported'],
    ['a request_uri', params({ request_uri: 'https://rp.example.org/req.jwt' }), 'request_uri_not_supported'],
    ['a repeated scope', params({}, [['scope', 'openid']]), 'invalid_request'],
    ['a nonce with a line break', params({ nonce: 'a\nb' }), 'invalid_request'],
    ['a state of 3 KB', params({ state: 'x'.repeat(3000) }), 'invalid_request'],
  ])('with %s is answered to the redirect URI', (_name, request, error) => {
    expect(redirectError(() => parseAuthorizationRequest(request, CLIENT))[0]).toBe(error);
  });

  it('grants offline_access only with prompt=consent, so the person is asked for it', () => {
    expect(parseAuthorizationRequest(params({ scope: 'openid offline_access' }), CLIENT).stored.scopes).toEqual(['openid']);
    expect(parseAuthorizationRequest(params({ scope: 'openid offline_access', prompt: 'consent' }), CLIENT).stored.scopes).toEqual(['openid', 'offline_access']);
  });

  it('says when the person must not be shown anything (prompt=none)', () => {
    expect(parseAuthorizationRequest(params({ prompt: 'none' }), CLIENT).isPromptNone).toBe(true);
  });

  it('answers at the redirect URI with state and iss, keeping the URI\'s own query', () => {
    const url = new URL(authorizationResponseUrl('https://rp.example.org/cb?tenant=7', { code: 'abc' }, 'st 1', 'https://id.example.com/c/acme'));
    expect(Object.fromEntries(url.searchParams)).toEqual({ tenant: '7', code: 'abc', state: 'st 1', iss: 'https://id.example.com/c/acme' });
    expect(new URL(authorizationResponseUrl('https://rp.example.org/cb', { error: 'access_denied' }, null, 'https://i')).searchParams.has('state')).toBe(false);
  });
});
