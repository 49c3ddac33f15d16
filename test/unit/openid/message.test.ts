import fc from 'fast-check';
import {
  MalformedMessageError,
  OPENID2_NS,
  OpenIdError,
  OpenIdMessage,
  UnsupportedVersionError,
} from '../../../src/openid';

const base = { 'openid.ns': OPENID2_NS, 'openid.mode': 'checkid_setup' };

describe('OpenIdMessage.fromParams', () => {
  it('keeps only openid.* parameters, without the prefix, in order', () => {
    const message = OpenIdMessage.fromParams({ ...base, 'openid.return_to': 'https://rp.example/', other: 'x' });
    expect(message.keys()).toEqual(['ns', 'mode', 'return_to']);
    expect(message.mode).toBe('checkid_setup');
    expect(message.get('other')).toBeUndefined();
  });

  it('accepts URLSearchParams, decoding + and %20 alike', () => {
    const params = new URLSearchParams(`openid.ns=${encodeURIComponent(OPENID2_NS)}&openid.mode=error&openid.error=a+b%20c`);
    expect(OpenIdMessage.fromParams(params).get('error')).toBe('a b c');
  });

  it('rejects a repeated openid.* parameter from URLSearchParams', () => {
    const params = new URLSearchParams(`openid.ns=${encodeURIComponent(OPENID2_NS)}&openid.mode=a&openid.mode=b`);
    expect(() => OpenIdMessage.fromParams(params)).toThrow(MalformedMessageError);
  });

  it('rejects a parameter that a body parser turned into an array', () => {
    expect(() => OpenIdMessage.fromParams({ ...base, 'openid.identity': ['a', 'b'] })).toThrow(MalformedMessageError);
  });

  it('rejects a parameter that a nested body parser turned into an object', () => {
    const params = { ...base, 'openid.sreg': { required: 'email' } } as unknown as Record<string, string>;
    expect(() => OpenIdMessage.fromParams(params)).toThrow(MalformedMessageError);
  });

  it('ignores repeated parameters outside the openid. prefix', () => {
    expect(() => OpenIdMessage.fromParams({ ...base, sid: ['1', '2'] })).not.toThrow();
  });

  it.each([
    ['absent', undefined],
    ['OpenID 1.1', 'http://openid.net/signon/1.1'],
    ['OpenID 1.0', 'http://openid.net/signon/1.0'],
    ['unknown', 'http://example.com/not-openid'],
  ])('refuses an %s openid.ns as an unsupported version', (_label, ns) => {
    const params: Record<string, string> = { 'openid.mode': 'checkid_setup' };
    if (ns !== undefined) params['openid.ns'] = ns;
    expect(() => OpenIdMessage.fromParams(params)).toThrow(UnsupportedVersionError);
  });

  it('rejects a LF inside a value, since every field must fit Key-Value form', () => {
    expect(() => OpenIdMessage.fromParams({ ...base, 'openid.return_to': 'https://a/\nb' })).toThrow(MalformedMessageError);
  });

  it('rejects keys with a colon or a LF', () => {
    expect(() => OpenIdMessage.fromParams({ ...base, 'openid.a:b': 'x' })).toThrow(MalformedMessageError);
    expect(() => OpenIdMessage.fromParams({ ...base, 'openid.a\nb': 'x' })).toThrow(MalformedMessageError);
  });

  it('tells whether parameters are an OpenID request at all (openid.mode present)', () => {
    expect(OpenIdMessage.hasMode({ 'openid.mode': 'associate' })).toBe(true);
    expect(OpenIdMessage.hasMode({ foo: 'bar' })).toBe(false);
  });
});

describe('extension namespaces (§12)', () => {
  const message = OpenIdMessage.fromParams({
    ...base,
    'openid.ns.x': 'http://example.com/ext/1.0',
    'openid.x': 'example',
    'openid.x.foo': 'bar',
    'openid.xx': 'notx',
  });

  it('finds the alias by namespace URI', () => {
    expect(message.aliasFor('http://example.com/ext/1.0')).toBe('x');
    expect(message.aliasFor('http://example.com/other')).toBeUndefined();
  });

  it('associates openid.x and openid.x.foo with the extension, but not openid.xx (the §12 example)', () => {
    expect([...(message.extensionArgs('http://example.com/ext/1.0') ?? [])]).toEqual([
      ['', 'example'],
      ['foo', 'bar'],
    ]);
  });

  it.each([
    ['an alias with a period', { 'openid.ns.a.b': 'http://e/1' }],
    ['a reserved alias', { 'openid.ns.mode': 'http://e/1' }],
    ['an empty alias', { 'openid.ns.': 'http://e/1' }],
    ['two aliases for one namespace', { 'openid.ns.a': 'http://e/1', 'openid.ns.b': 'http://e/1' }],
    ['an empty namespace', { 'openid.ns.a': '' }],
  ])('rejects %s', (_label, extra) => {
    expect(() => OpenIdMessage.fromParams({ ...base, ...extra })).toThrow(MalformedMessageError);
  });
});

describe('OpenIdMessage output', () => {
  it('writes Key-Value form without the openid. prefix', () => {
    const message = OpenIdMessage.fromFields([['ns', OPENID2_NS], ['is_valid', 'true']]);
    expect(message.toKvForm()).toBe(`ns:${OPENID2_NS}\nis_valid:true\n`);
  });

  it('writes the §11.2 URL form with %20 for spaces', () => {
    const message = OpenIdMessage.fromFields([['mode', 'error'], ['error', 'This is an example message']]);
    expect(message.toQueryString()).toBe('openid.mode=error&openid.error=This%20is%20an%20example%20message');
  });

  it('replaces a field in place with `with`', () => {
    const message = OpenIdMessage.fromFields([['ns', OPENID2_NS], ['mode', 'check_authentication'], ['x', '1']]);
    expect(message.with('mode', 'id_res').keys()).toEqual(['ns', 'mode', 'x']);
    expect(message.with('mode', 'id_res').mode).toBe('id_res');
  });
});

describe('URL-form message properties', () => {
  const paramKey = fc.oneof(fc.string(), fc.string().map((s) => `openid.${s}`), fc.constantFrom('openid.ns', 'openid.ns.sreg'));
  const paramValue = fc.oneof(fc.string({ unit: 'binary' }), fc.constant(OPENID2_NS));

  it('either parses arbitrary records or throws an OpenIdError', () => {
    fc.assert(
      fc.property(fc.dictionary(paramKey, paramValue), (params) => {
        try {
          OpenIdMessage.fromParams(params);
        } catch (error) {
          expect(error).toBeInstanceOf(OpenIdError);
        }
      }),
    );
  });

  it('either parses arbitrary query strings or throws an OpenIdError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (query) => {
        try {
          OpenIdMessage.fromParams(new URLSearchParams(`openid.ns=${encodeURIComponent(OPENID2_NS)}&${query}`));
        } catch (error) {
          expect(error).toBeInstanceOf(OpenIdError);
        }
      }),
    );
  });

  it('round-trips every accepted message through its query string and its Key-Value form', () => {
    fc.assert(
      fc.property(fc.dictionary(paramKey, paramValue), (extra) => {
        let message: OpenIdMessage;
        try {
          message = OpenIdMessage.fromParams({ ...extra, 'openid.ns': OPENID2_NS });
        } catch (error) {
          expect(error).toBeInstanceOf(OpenIdError);
          return;
        }
        const again = OpenIdMessage.fromParams(new URLSearchParams(message.toQueryString()));
        expect([...again.entries()]).toEqual([...message.entries()]);
        expect(message.toKvForm()).toBe(again.toKvForm());
      }),
    );
  });
});
