import {
  checkRealmSanity,
  checkReturnToInRealm,
  checkReturnToSyntax,
  InsaneRealmError,
  InvalidReturnToError,
  parseRealm,
  returnToMatchesDiscovered,
  ReturnToOutsideRealmError,
} from '../../../src/openid';

describe('return_to syntax', () => {
  it.each([
    'https://rp.example.org/finish?sid=42',
    'http://localhost:3000/openid/return',
    'https://rp.example.org/return?state=a%2Bb&openidx=1',
  ])('accepts %s', (returnTo) => {
    expect(() => checkReturnToSyntax(returnTo)).not.toThrow();
  });

  it.each([
    ['a relative URL', '/finish'],
    ['another scheme', 'ftp://rp.example.org/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a wildcard host', 'http://*.example.org/'],
    ['a fragment', 'https://rp.example.org/finish#top'],
    ['an openid.* query key', 'https://rp.example.org/finish?openid.mode=id_res'],
    ['an encoded openid.* query key', 'https://rp.example.org/finish?x=1&openid%2Emode=id_res'],
    ['userinfo', 'https://user:pass@rp.example.org/'],
    ['a backslash', 'https://rp.example.org\\@evil.example/'],
    ['a space', 'https://rp.example.org/a b'],
    ['a newline', 'https://rp.example.org/a\nb'],
    ['more than 4096 characters', `https://rp.example.org/${'a'.repeat(4100)}`],
  ])('rejects %s', (_label, returnTo) => {
    expect(() => checkReturnToSyntax(returnTo)).toThrow(InvalidReturnToError);
  });
});

describe('return_to inside realm and realm sanity', () => {
  it('accepts a return_to under its realm', () => {
    expect(() => checkReturnToInRealm('https://shop.example.org/openid?x=1', parseRealm('https://*.example.org/'))).not.toThrow();
  });

  it('refuses a return_to outside its realm', () => {
    expect(() => checkReturnToInRealm('https://evil.example.net/', parseRealm('https://*.example.org/'))).toThrow(
      ReturnToOutsideRealmError,
    );
  });

  it('refuses an insane realm', () => {
    expect(() => checkRealmSanity(parseRealm('https://*.co.uk/'))).toThrow(InsaneRealmError);
  });
});

describe('return_to against RP discovery results (§9.2.1)', () => {
  const discovered = ['https://rp.example.org/openid/return', 'https://*.example.org/'];

  it('matches a discovered return_to URL by realm rules', () => {
    expect(returnToMatchesDiscovered('https://rp.example.org/openid/return?sid=1', discovered)).toBe(true);
  });

  it('ignores discovered URLs with wildcards (RP URIs never contain them)', () => {
    expect(returnToMatchesDiscovered('https://shop.example.org/', discovered)).toBe(false);
  });

  it('finds nothing in an empty discovery result', () => {
    expect(returnToMatchesDiscovered('https://rp.example.org/openid/return', [])).toBe(false);
  });
});
