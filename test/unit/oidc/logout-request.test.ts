import { checkPostLogoutRedirect, hintClaims, LogoutRefusedError, parseLogoutRequest, postLogoutRedirectUrl } from '../../../src/oidc/logout-request';
import { BACKCHANNEL_LOGOUT_EVENT, LOGOUT_TOKEN_TTL_SECONDS, logoutTokenClaims } from '../../../src/oidc/logout-token';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof LogoutRefusedError) return err.refusal;
    throw err;
  }
  throw new Error('not refused');
}

const CLIENT = { postLogoutRedirectUris: ['https://rp.example.org/bye', 'http://127.0.0.1:8080/bye'] };

describe('logout request (RP-Initiated Logout 1.0 §2)', () => {
  it('reads each parameter once, empty values as absent, and ignores logout_hint and unknown ones', () => {
    expect(
      parseLogoutRequest([
        ['id_token_hint', 'h'],
        ['client_id', 'rp-1'],
        ['post_logout_redirect_uri', 'https://rp.example.org/bye'],
        ['state', ''],
        ['logout_hint', 'alice'],
        ['other', 'x'],
      ]),
    ).toEqual({ idTokenHint: 'h', clientId: 'rp-1', postLogoutRedirectUri: 'https://rp.example.org/bye', state: null, uiLocales: null });
  });

  it('refuses a repeated parameter, an overlong state and control characters', () => {
    expect(refusal(() => parseLogoutRequest([['state', 'a'], ['state', 'b']]))).toBe('REPEATED_PARAMETER');
    expect(refusal(() => parseLogoutRequest([['state', 'x'.repeat(2049)]]))).toBe('INVALID_PARAMETER');
    expect(refusal(() => parseLogoutRequest([['client_id', 'rp\n1']]))).toBe('INVALID_PARAMETER');
  });

  it('takes the client from the hint audience, or its azp among several', () => {
    expect(hintClaims({ sub: 'alice', aud: 'rp-1' }, null)).toEqual({ sub: 'alice', clientId: 'rp-1' });
    expect(hintClaims({ sub: 'alice', aud: ['rp-1'] }, 'rp-1')).toEqual({ sub: 'alice', clientId: 'rp-1' });
    expect(hintClaims({ sub: 'alice', aud: ['rp-1', 'api'], azp: 'rp-1' }, null)).toEqual({ sub: 'alice', clientId: 'rp-1' });
  });

  it('refuses a client_id that differs from the hint audience', () => {
    expect(refusal(() => hintClaims({ sub: 'alice', aud: 'rp-1' }, 'rp-2'))).toBe('CLIENT_MISMATCH');
  });

  it('refuses a logout token, a missing sub and an audience naming no one client as a hint', () => {
    expect(refusal(() => hintClaims({ sub: 'alice', aud: 'rp-1', events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } }, null))).toBe('INVALID_ID_TOKEN_HINT');
    expect(refusal(() => hintClaims({ aud: 'rp-1' }, null))).toBe('INVALID_ID_TOKEN_HINT');
    expect(refusal(() => hintClaims({ sub: 'alice', aud: ['rp-1', 'rp-2'] }, null))).toBe('INVALID_ID_TOKEN_HINT');
    expect(refusal(() => hintClaims({ sub: 'alice', aud: 7 }, null))).toBe('INVALID_ID_TOKEN_HINT');
  });

  it('uses a post-logout redirect URI only when registered exactly for a known client', () => {
    const request = (uri: string | null) => ({ idTokenHint: null, clientId: null, postLogoutRedirectUri: uri, state: null, uiLocales: null });
    expect(checkPostLogoutRedirect(request(null), null)).toBeNull();
    expect(checkPostLogoutRedirect(request('https://rp.example.org/bye'), CLIENT)).toBe('https://rp.example.org/bye');
    expect(refusal(() => checkPostLogoutRedirect(request('https://rp.example.org/bye'), null))).toBe('POST_LOGOUT_REDIRECT_WITHOUT_CLIENT');
    expect(refusal(() => checkPostLogoutRedirect(request('https://rp.example.org/bye/'), CLIENT))).toBe('UNREGISTERED_POST_LOGOUT_REDIRECT_URI');
    expect(refusal(() => checkPostLogoutRedirect(request('https://rp.example.org/bye?x=1'), CLIENT))).toBe('UNREGISTERED_POST_LOGOUT_REDIRECT_URI');
  });

  it('adds state to the redirect, keeping the registered query', () => {
    expect(postLogoutRedirectUrl('https://rp.example.org/bye?lang=en', 'a b')).toBe('https://rp.example.org/bye?lang=en&state=a+b');
    expect(postLogoutRedirectUrl('https://rp.example.org/bye', null)).toBe('https://rp.example.org/bye');
  });
});

describe('logout token claims (Back-Channel Logout 1.0 §2.4)', () => {
  it('names the issuer, client and person, expires within two minutes, carries the event and no nonce or sid', () => {
    const claims = logoutTokenClaims({ issuer: 'https://id.example/c/acme', clientId: 'rp-1', subject: 'alice', jti: 'j-1', now: new Date('2026-12-03T10:00:00Z') });
    expect(claims).toEqual({
      iss: 'https://id.example/c/acme',
      aud: 'rp-1',
      iat: 1796292000,
      exp: 1796292000 + LOGOUT_TOKEN_TTL_SECONDS,
      jti: 'j-1',
      sub: 'alice',
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    });
    expect(LOGOUT_TOKEN_TTL_SECONDS).toBeLessThanOrEqual(120);
  });
});
