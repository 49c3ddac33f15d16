import {
  AX_NS,
  AX_TYPE_FOR_SREG,
  buildAxResponse,
  MalformedMessageError,
  OPENID2_NS,
  OpenIdMessage,
  parseAxRequest,
  SREG_FIELDS,
  sregFieldForAxType,
} from '../../../../src/openid';

function message(extra: Record<string, string>): OpenIdMessage {
  return OpenIdMessage.fromParams({ 'openid.ns': OPENID2_NS, 'openid.mode': 'checkid_setup', 'openid.ns.ax': AX_NS, ...extra });
}

describe('AX type URIs', () => {
  it.each(SREG_FIELDS.map((field) => [field]))('maps all three spellings of %s', (field) => {
    const uri = AX_TYPE_FOR_SREG[field];
    expect(sregFieldForAxType(uri)).toBe(field);
    expect(sregFieldForAxType(uri.replace('axschema.org', 'schema.openid.net'))).toBe(field);
    expect(sregFieldForAxType(uri.replace('axschema.org', 'openid.net/schema'))).toBe(field);
  });

  it('maps Google’s email spelling and ignores unknown types', () => {
    expect(sregFieldForAxType('http://schema.openid.net/contact/email')).toBe('email');
    expect(sregFieldForAxType('http://axschema.org/namePerson/first')).toBeUndefined();
  });
});

describe('AX fetch_request parsing (AX §5.1)', () => {
  it('reads types, required, if_available and counts', () => {
    const request = parseAxRequest(
      message({
        'openid.ax.mode': 'fetch_request',
        'openid.ax.type.mail': 'http://schema.openid.net/contact/email',
        'openid.ax.type.nick': 'http://axschema.org/namePerson/friendly',
        'openid.ax.type.fav': 'http://example.com/schema/favourite_movie',
        'openid.ax.count.fav': '3',
        'openid.ax.count.nick': 'unlimited',
        'openid.ax.required': 'mail',
        'openid.ax.if_available': 'nick,fav,mail',
        'openid.ax.update_url': 'https://rp.example.org/update',
      }),
    );
    expect(request).toEqual({
      mode: 'fetch_request',
      attributes: [
        { alias: 'mail', typeUri: 'http://schema.openid.net/contact/email', isRequired: true, count: 1, isCountExplicit: false, sregField: 'email' },
        { alias: 'nick', typeUri: 'http://axschema.org/namePerson/friendly', isRequired: false, count: 'unlimited', isCountExplicit: true, sregField: 'nickname' },
        { alias: 'fav', typeUri: 'http://example.com/schema/favourite_movie', isRequired: false, count: 3, isCountExplicit: true },
      ],
    });
  });

  it('reads a store_request, to be declined', () => {
    expect(parseAxRequest(message({ 'openid.ax.mode': 'store_request' }))).toEqual({ mode: 'store_request' });
  });

  it('finds nothing without the AX namespace', () => {
    expect(parseAxRequest(OpenIdMessage.fromParams({ 'openid.ns': OPENID2_NS, 'openid.ax.mode': 'fetch_request' }))).toBeUndefined();
  });

  it.each([
    ['an unknown mode', { 'openid.ax.mode': 'fetch_response' }],
    ['an alias without type', { 'openid.ax.mode': 'fetch_request', 'openid.ax.required': 'email' }],
    ['a zero count', { 'openid.ax.mode': 'fetch_request', 'openid.ax.type.e': AX_TYPE_FOR_SREG.email, 'openid.ax.count.e': '0', 'openid.ax.required': 'e' }],
    ['a non-numeric count', { 'openid.ax.mode': 'fetch_request', 'openid.ax.type.e': AX_TYPE_FOR_SREG.email, 'openid.ax.count.e': 'lots', 'openid.ax.required': 'e' }],
    ['an alias with a comma', { 'openid.ax.mode': 'fetch_request', 'openid.ax.type.a,b': AX_TYPE_FOR_SREG.email }],
  ])('rejects %s', (_label, extra) => {
    expect(() => parseAxRequest(message(extra))).toThrow(MalformedMessageError);
  });
});

describe('AX fetch_response (AX §5.2)', () => {
  const request = parseAxRequest(
    message({
      'openid.ax.mode': 'fetch_request',
      'openid.ax.type.mail': AX_TYPE_FOR_SREG.email,
      'openid.ax.type.nick': 'http://openid.net/schema/namePerson/friendly',
      'openid.ax.count.nick': '2',
      'openid.ax.type.tz': AX_TYPE_FOR_SREG.timezone,
      'openid.ax.type.fav': 'http://example.com/schema/favourite_movie',
      'openid.ax.required': 'mail,nick',
      'openid.ax.if_available': 'tz,fav',
    }),
  );

  it('answers under the RP’s aliases and type URIs, with count only where the RP asked for one', () => {
    expect(buildAxResponse(request!, { email: 'alice@example.com', nickname: 'alice', timezone: 'Europe/Paris' })).toEqual({
      namespace: AX_NS,
      alias: 'ax',
      fields: [
        ['mode', 'fetch_response'],
        ['type.mail', AX_TYPE_FOR_SREG.email],
        ['value.mail', 'alice@example.com'],
        ['type.nick', 'http://openid.net/schema/namePerson/friendly'],
        ['count.nick', '1'],
        ['value.nick.1', 'alice'],
        ['type.tz', AX_TYPE_FOR_SREG.timezone],
        ['value.tz', 'Europe/Paris'],
      ],
    });
  });

  it('leaves out attributes without a value entirely', () => {
    expect(buildAxResponse(request!, {}).fields).toEqual([['mode', 'fetch_response']]);
  });

  it('declines a store_request with store_response_failure', () => {
    const response = buildAxResponse({ mode: 'store_request' }, { email: 'alice@example.com' });
    expect(response.fields[0]).toEqual(['mode', 'store_response_failure']);
    expect(response.fields.map(([key]) => key)).toEqual(['mode', 'error']);
  });
});
