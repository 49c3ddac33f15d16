import { checkTrustedRealm, isRealmTrusted, isRealmWithin, parseRealm, UntrustedRealmError } from '../../../src/openid';

describe('customer trusted-realm whitelist', () => {
  it('trusts every realm when the whitelist is empty', () => {
    expect(isRealmTrusted(parseRealm('https://anything.example/'), [])).toBe(true);
  });

  it.each([
    ['https://*.example.com/', 'https://shop.example.com/cart'],
    ['https://*.example.com/', 'https://example.com/'],
    ['https://*.example.com/', 'https://*.eu.example.com/'],
    ['https://*.example.com/', 'https://*.example.com/'],
    ['https://rp.example.com/', 'https://rp.example.com/app/'],
    ['https://rp.example.com/app/', 'https://rp.example.com/app/login?x=1'],
    ['https://rp.example.com:443/', 'https://RP.example.com/'],
  ])('whitelisted %s trusts %s', (whitelisted, requested) => {
    expect(isRealmWithin(parseRealm(requested), parseRealm(whitelisted))).toBe(true);
    expect(isRealmTrusted(parseRealm(requested), ['https://unrelated.example/', whitelisted])).toBe(true);
  });

  it.each([
    ['https://*.example.com/', 'http://shop.example.com/', 'another scheme'],
    ['https://*.example.com/', 'https://example.org/', 'another domain'],
    ['https://*.example.com/', 'https://notexample.com/', 'a suffix that is not a subdomain'],
    ['https://rp.example.com/', 'https://*.rp.example.com/', 'a wildcard under an exact host'],
    ['https://rp.example.com/', 'https://other.example.com/', 'a sibling host'],
    ['https://rp.example.com/app/', 'https://rp.example.com/', 'a wider path'],
    ['https://rp.example.com/app', 'https://rp.example.com/application', 'a path that only shares a prefix'],
    ['https://rp.example.com/', 'https://rp.example.com:8443/', 'another port'],
  ])('whitelisted %s does not trust %s (%s)', (whitelisted, requested) => {
    expect(isRealmTrusted(parseRealm(requested), [whitelisted])).toBe(false);
    expect(() => checkTrustedRealm(parseRealm(requested), [whitelisted])).toThrow(UntrustedRealmError);
  });

  it('skips whitelist entries that are not realms', () => {
    expect(isRealmTrusted(parseRealm('https://rp.example.com/'), ['not a realm'])).toBe(false);
  });
});
