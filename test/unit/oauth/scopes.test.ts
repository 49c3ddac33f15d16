import { OAUTH_SCOPES, parseScopeParam } from '../../../src/oauth';
import { formatScope, isSubsetOf } from '../../../src/oauth/scopes';
import { readClientCredentials } from '../../../src/oauth/client-authentication';
import { InvalidClientError, InvalidRequestError } from '../../../src/oauth/oauth.errors';
import { oauthErrorAnswer } from '../../../src/http/oauth-answers';

describe('scope parameter (RFC 6749 §3.3)', () => {
  it('parses space-separated known scopes into canonical order without repeats', () => {
    expect(parseScopeParam('profiles:read consents:read profiles:read')).toEqual(['consents:read', 'profiles:read']);
    expect(parseScopeParam('profile.email')).toEqual(['profile.email']);
  });

  it.each([
    ['an empty value', ''],
    ['a leading space', ' consents:read'],
    ['a double space', 'consents:read  profiles:read'],
    ['a trailing space', 'consents:read '],
    ['a tab separator', 'consents:read\tprofiles:read'],
    ['a quote character', 'consents:read "x"'],
    ['an unknown scope', 'consents:read admin'],
    ['a scope differing only in case', 'Consents:read'],
  ])('refuses %s', (_case, value) => {
    expect(parseScopeParam(value)).toBeNull();
  });

  it('knows exactly the documented scope list', () => {
    expect(OAUTH_SCOPES).toHaveLength(23);
    expect(new Set(OAUTH_SCOPES).size).toBe(OAUTH_SCOPES.length);
    for (const scope of OAUTH_SCOPES) expect(parseScopeParam(scope)).toEqual([scope]);
  });

  it('formats and compares scope lists', () => {
    expect(formatScope(['consents:read', 'profiles:read'])).toBe('consents:read profiles:read');
    expect(isSubsetOf(['consents:read'], ['consents:read', 'profiles:read'])).toBe(true);
    expect(isSubsetOf(['consents:read', 'audit:read'], ['consents:read'])).toBe(false);
    expect(isSubsetOf([], ['consents:read'])).toBe(true);
  });
});

describe('client authentication (RFC 6749 §2.3.1)', () => {
  const basic = (id: string, secret: string) =>
    `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

  it('reads form-urlencoded id and secret from HTTP Basic', () => {
    expect(readClientCredentials(basic('cli_a', 's:e/c r+t'), new Map())).toEqual({
      clientId: 'cli_a',
      clientSecret: 's:e/c r+t',
      method: 'client_secret_basic',
    });
  });

  it('reads client_id and client_secret from the body', () => {
    expect(readClientCredentials(undefined, new Map([['client_id', 'cli_a'], ['client_secret', 's']]))).toEqual({
      clientId: 'cli_a',
      clientSecret: 's',
      method: 'client_secret_post',
    });
  });

  it('refuses two methods in one request as invalid_request', () => {
    expect(() => readClientCredentials(basic('cli_a', 's'), new Map([['client_secret', 's']]))).toThrow(InvalidRequestError);
    expect(() => readClientCredentials(basic('cli_a', 's'), new Map([['client_id', 'cli_b']]))).toThrow(InvalidRequestError);
  });

  it('answers invalid_client without credentials or with a broken Basic header, flagging Basic', () => {
    const thrown = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err;
      }
      throw new Error('expected a throw');
    };
    expect(thrown(() => readClientCredentials(undefined, new Map()))).toMatchObject({ code: 'INVALID_CLIENT', usedBasic: false });
    expect(oauthErrorAnswer(thrown(() => readClientCredentials(undefined, new Map())) as InvalidClientError)).toEqual([401, { error: 'invalid_client', error_description: 'client authentication failed' }, undefined]);
    expect(oauthErrorAnswer(thrown(() => readClientCredentials('Basic bm9jb2xvbg==', new Map())) as InvalidClientError)[2]).toEqual({ 'WWW-Authenticate': 'Basic realm="oauth"' });
    expect(thrown(() => readClientCredentials('Basic bm9jb2xvbg==', new Map()))).toBeInstanceOf(InvalidClientError);
    expect(thrown(() => readClientCredentials('Basic bm9jb2xvbg==', new Map()))).toMatchObject({ usedBasic: true });
    expect(thrown(() => readClientCredentials(undefined, new Map([['client_id', 'cli_a']])))).toMatchObject({ code: 'INVALID_CLIENT' });
  });
});
