import fc from 'fast-check';
import {
  BadRealmError,
  checkRealmSyntax,
  isRealmSane,
  OpenIdError,
  parseRealm,
  realmMatchesUrl,
  rpDiscoveryUrl,
  tryParseRealm,
} from '../../../src/openid';

/** docs/protocol.md#vectors-realms rows, then the rest of python-openid's data/trustroot.txt. */
const matches: Array<[string, string]> = [
  ['http://*.foo.com', 'http://b.foo.com/'],
  ['http://*.b.foo.com', 'http://b.foo.com'],
  ['http://x.com/abc', 'http://x.com/abc/def'],
  ['http://foo.com/?x=y', 'http://foo.com/?x=y&a=b'],
  ['http://foo.com:80/', 'http://foo.com/stuff'],
  ['http://Foo.com', 'http://foo.com'],
  ['https://www.filmclans.com:443/mattmartin/FilmClans', 'https://www.filmclans.com/mattmartin/FilmClans/Logon.aspx?nonce=BVjqSOee'],
  // python-openid trustroot.txt "matches"
  ['http://*/', 'http://cnn.com/'],
  ['http://*/', 'http://livejournal.com/'],
  ['http://*/', 'http://met.museum/'],
  ['http://*:8081/', 'http://met.museum:8081/'],
  ['http://localhost:8081/x?action=openid', 'http://localhost:8081/x?action=openid'],
  ['http://*.foo.com', 'http://b.foo.com'],
  ['http://*.foo.com/', 'http://b.foo.com'],
  ['http://b.foo.com', 'http://b.foo.com'],
  ['http://b.foo.com', 'http://b.foo.com/'],
  ['http://b.foo.com/', 'http://b.foo.com'],
  ['http://*.b.foo.com', 'http://b.foo.com/'],
  ['http://*.b.foo.com/', 'http://b.foo.com'],
  ['http://*.b.foo.com', 'http://x.b.foo.com'],
  ['http://*.b.foo.com', 'http://w.x.b.foo.com'],
  ['http://*.bar.co.uk', 'http://www.bar.co.uk'],
  ['http://*.uoregon.edu', 'http://x.cs.uoregon.edu'],
  ['http://x.com/abc', 'http://x.com/abc'],
  ['http://127.1/abc', 'http://127.1/abc'],
  ['http://10.0.0.1/abc', 'http://10.0.0.1/abc'],
  ['http://*.x.com', 'http://x.com/gallery'],
  ['http://*.x.com', 'http://foo.x.com/gallery'],
  ['http://foo.x.com', 'http://foo.x.com/gallery/xxx'],
  ['http://*.x.com/gallery', 'http://foo.x.com/gallery'],
  ['http://localhost:8082/?action=openid', 'http://localhost:8082/?action=openid'],
  ['http://goathack.livejournal.org:8020/', 'http://goathack.livejournal.org:8020/openid/login.bml'],
  ['https://foo.com', 'https://foo.com'],
  ['http://foo.com', 'http://Foo.com'],
  ['http://foo.com/x', 'http://foo.com/x?y'],
  ['http://mylid.net/j3h.', 'http://mylid.net/j3h.?x=y'],
  ['http://j3h.us', 'http://j3h.us?ride=unicycle'],
  ['http://foo.com:80', 'http://foo.com'],
  ['http://foo.com', 'http://foo.com:80'],
  ['http://foo.com', 'http://foo.com/'],
  ['http://foo.com/', 'http://foo.com'],
  ['http://foo.com/', 'http://foo.com:80'],
  ['http://foo.com:80/', 'http://foo.com:80/stuff'],
  ['http://foo.com/', 'HTTP://foo.com/'],
  // Ours: percent-encoding and IDN normalisation
  ['http://foo.com/%7Euser/', 'http://foo.com/~user/page'],
  ['http://π.example.com/', 'http://xn--1xa.example.com/x'],
];

const nonMatches: Array<[string, string]> = [
  ['http://x.com/abc', 'http://x.com/abcd'],
  ['https://foo.com', 'http://foo.com'],
  ['http://foo.com:81', 'http://foo.com:80'],
  ['http://*.bar.co.uk', 'http://xxx.co.uk'],
  ['http://foo.com/?a=b', 'http://foo.com/?x=y&a=b'],
  ['http://foo.com/*', 'http://foo.com/anything'],
  ['http://foo.com', 'http://foo.com:443'],
  // python-openid trustroot.txt "does not match"
  ['http://*/', 'ftp://foo.com/'],
  ['http://*/', 'xxx'],
  ['http://*.x.com/abc', 'http://foo.x.com'],
  ['http://*.x.com/abc', 'http://*.x.com'],
  ['http://*.com/', 'http://*.com/'],
  ['http://x.com/abc', 'http://x.com/'],
  ['http://x.com/abc', 'http://x.com/a'],
  ['http://x.com/abc', 'http://x.com/ab'],
  ['http://*.cs.uoregon.edu', 'http://x.uoregon.edu'],
  ['http://*.foo.com', 'http://bar.com'],
  ['http://*.foo.com', 'http://www.bar.com'],
  ['http://foo.com', 'https://foo.com'],
  ['http://*:80', 'http://foo.com:81'],
  ['http://foo.com/?a=b', 'http://foo.com/?x=y'],
  ['http://foo.com/?a=b', 'http://foo.com/'],
  ['http://*.oo.com/', 'http://foo.com/'],
  ['https://foo.com', 'https://foo.com:80'],
  // Ours: tricks that read differently to browsers, dot segments
  ['http://x.com/abc/', 'http://x.com/abc/../admin'],
  ['http://x.com/abc/', 'http://x.com/abc/%2e%2e/admin'],
  ['http://good.com/', 'http://good.com@evil.com/'],
  ['http://good.com/', 'http://evil.com\\@good.com/'],
  ['http://x.com/abc/', 'http://x.com/abc/\\..\\..\\admin'],
  ['http://foo.com/', 'http://foo.com/#frag'.replace('#frag', '\t')],
];

const unparseable = [
  '*.foo.com', 'ftp://foo.com', 'http://foo.*.com', 'http://www.*', 'http://foo.com/invalid#fragment',
  // python-openid trustroot.txt "Does not parse"
  'baz.org', 'http://*.schtuff.*/', 'ftp://*.foo.com', 'http:///', 'http://', 'foo.*.com', 'http://*foo.com/',
  'http://.it/', 'http://..it/', 'http://foo.com\\/', 'http://localhost:1900foo/', '', ' ', ' \t', '5',
  // Ours
  'http://user@foo.com/', 'http://foo.com/#', 'http://foo.com:0/', 'http://foo.com:65536/', 'http://foo.com/%zz',
  'http://[::1/', ' http://foo.com/', 'javascript://foo.com/%0aalert(1)',
];

const insane = [
  'http://*/', 'http://*.com/', 'http://*.co.uk/', 'http://*.museum/',
  // python-openid trustroot.txt "Insane"
  'https://*/', 'http://*.com', 'https://*.com/', 'http://*.com.au/', 'http://*.foo.notatld/', 'https://*.foo.notatld/',
  'https://*.museum/', 'http://www.schtuffcom/', 'http://it/',
  // Ours: private public suffixes and IPs under a wildcard
  'http://*.github.io/', 'http://*.10.0.0.1/', 'http://*:8081/', 'http://co.uk/',
];

const sane = [
  'http://*.schtuff.com./', 'http://*.schtuff.com/', 'http://*.foo.schtuff.com/', 'http://*.schtuff.com',
  'http://www.schtuff.com/', 'http://www.schtuff.com./', 'http://www.schutff.com', 'http://*.this.that.schtuff.com/',
  'http://*.foo.com/path', 'http://*.foo.com/path?action=foo2', 'http://x.foo.com/path?action=foo2',
  'http://x.foo.com/path?action=%3D', 'http://localhost:8081/', 'http://localhost:8082/?action=openid', 'https://foo.com/',
  'http://kink.fm/should/be/sane', 'http://beta.lingu.no/', 'http://goathack.livejournal.org:8020/openid/login.bml',
  'http://π.pi.example.com/', 'http://lambda.example.com/Λ',
  // Ours
  'http://*.alice.github.io/', 'http://github.io/', 'http://10.0.0.1/', 'http://[::1]:8080/',
];

describe('realm matching (§9.2)', () => {
  it.each(matches)('%s matches %s', (realm, url) => {
    expect(realmMatchesUrl(parseRealm(realm), url)).toBe(true);
  });

  it.each(nonMatches)('%s does not match %s', (realm, url) => {
    expect(realmMatchesUrl(parseRealm(realm), url)).toBe(false);
  });
});

describe('realm parsing', () => {
  it.each(unparseable)('refuses %j', (realm) => {
    expect(tryParseRealm(realm)).toBeUndefined();
    expect(() => parseRealm(realm)).toThrow(BadRealmError);
    expect(checkRealmSyntax(realm)).toMatch(/not a valid realm/);
  });

  it('refuses http://*.example.com:80:90/, which python-openid’s urinorm lets through as sane', () => {
    expect(tryParseRealm('http://*.example.com:80:90/')).toBeUndefined();
  });

  it('normalises scheme, host, default port and dot segments', () => {
    expect(parseRealm('HTTPS://WWW.Example.COM:443/a/./b/../c')).toMatchObject({
      scheme: 'https',
      host: 'www.example.com',
      port: undefined,
      path: '/a/c',
      isWildcard: false,
    });
  });
});

describe('realm sanity', () => {
  it.each(insane)('finds %s insane', (realm) => {
    expect(isRealmSane(parseRealm(realm))).toBe(false);
    expect(checkRealmSyntax(realm)).toMatch(/too broad/);
  });

  it.each(sane)('finds %s sane', (realm) => {
    expect(isRealmSane(parseRealm(realm))).toBe(true);
    expect(checkRealmSyntax(realm)).toBeUndefined();
  });
});

describe('RP discovery URL (§9.2.1)', () => {
  it('replaces *. by www. and keeps port and path', () => {
    expect(rpDiscoveryUrl('http://*.example.com:8001/foo')).toBe('http://www.example.com:8001/foo');
  });

  it('uses a realm without wildcard as sent', () => {
    expect(rpDiscoveryUrl('https://Rp.Example.org/x')).toBe('https://Rp.Example.org/x');
  });
});

describe('realm properties', () => {
  const urlish = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc
      .tuple(fc.constantFrom('http://', 'https://', 'HTTP://'), fc.constantFrom('', '*.', '*'), fc.domain(), fc.string())
      .map(([scheme, wildcard, domain, rest]) => `${scheme}${wildcard}${domain}${rest}`),
  );

  it('either parses arbitrary strings as realms or throws an OpenIdError', () => {
    fc.assert(
      fc.property(urlish, (text) => {
        try {
          const realm = parseRealm(text);
          isRealmSane(realm);
          rpDiscoveryUrl(realm);
        } catch (error) {
          expect(error).toBeInstanceOf(OpenIdError);
        }
      }),
    );
  });

  it('never throws when matching arbitrary URLs against arbitrary realms', () => {
    fc.assert(
      fc.property(urlish, urlish, (realmText, url) => {
        const realm = tryParseRealm(realmText);
        if (realm !== undefined) expect(typeof realmMatchesUrl(realm, url)).toBe('boolean');
      }),
    );
  });

  it('matches every parseable non-wildcard realm against itself', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true }), (url) => {
        const realm = tryParseRealm(url);
        if (realm !== undefined && !realm.isWildcard) expect(realmMatchesUrl(realm, url)).toBe(true);
      }),
    );
  });
});
