import {
  buildSregResponse,
  normaliseSregValue,
  OPENID2_NS,
  OpenIdMessage,
  parseSregRequest,
  SREG_NS_1_0,
  SREG_NS_1_1,
  SREG_NS_1_1_ALT,
} from '../../../../src/openid';

function message(extra: Record<string, string>): OpenIdMessage {
  return OpenIdMessage.fromParams({ 'openid.ns': OPENID2_NS, 'openid.mode': 'checkid_setup', ...extra });
}

describe('sreg request parsing', () => {
  it.each([SREG_NS_1_1, SREG_NS_1_1_ALT, SREG_NS_1_0])('reads a request under %s', (namespace) => {
    const request = parseSregRequest(
      message({
        'openid.ns.sr': namespace,
        'openid.sr.required': 'email,nickname',
        'openid.sr.optional': 'fullname,dob',
        'openid.sr.policy_url': 'https://rp.example.org/privacy',
      }),
    );
    expect(request).toEqual({
      namespace,
      required: ['email', 'nickname'],
      optional: ['fullname', 'dob'],
      policyUrl: 'https://rp.example.org/privacy',
    });
  });

  it('ignores unknown and empty names, duplicates, and optional fields also required', () => {
    const request = parseSregRequest(
      message({
        'openid.ns.sreg': SREG_NS_1_1,
        'openid.sreg.required': 'email,,shoe_size,email',
        'openid.sreg.optional': 'email,gender',
      }),
    );
    expect(request).toMatchObject({ required: ['email'], optional: ['gender'] });
  });

  it('finds nothing without an sreg namespace declaration', () => {
    expect(parseSregRequest(message({ 'openid.sreg.required': 'email' }))).toBeUndefined();
  });

  it('returns an empty request for a namespace declared with no fields', () => {
    expect(parseSregRequest(message({ 'openid.ns.sreg': SREG_NS_1_1 }))).toEqual({ namespace: SREG_NS_1_1, required: [], optional: [] });
  });
});

describe('sreg response', () => {
  it('answers under the RP’s namespace with requested fields we have, in spec order', () => {
    const response = buildSregResponse(
      { namespace: SREG_NS_1_0, required: ['email'], optional: ['nickname', 'country'] },
      { email: 'alice@example.com', nickname: 'alice', fullname: 'Alice Liddell', country: '' },
    );
    expect(response).toEqual({
      namespace: SREG_NS_1_0,
      alias: 'sreg',
      fields: [['nickname', 'alice'], ['email', 'alice@example.com']],
    });
  });
});

describe('sreg value normalisation (docs/protocol.md#sreg)', () => {
  it.each([
    ['gender', 'male', 'M'],
    ['gender', 'Female', 'F'],
    ['gender', 'F', 'F'],
    ['gender', 'other', undefined],
    ['dob', '1980-00-00', '1980-00-00'],
    ['dob', '01-01-1970', undefined],
    ['dob', '1980-13-01', undefined],
    ['country', 'fr', 'FR'],
    ['country', 'USA', undefined],
    ['language', 'EN', 'en'],
    ['language', 'en-US', 'en-US'],
    ['language', 'english', undefined],
    ['timezone', 'Europe/Paris', 'Europe/Paris'],
    ['timezone', 'Mars/Olympus_Mons', undefined],
    ['email', 'alice@example.com', 'alice@example.com'],
    ['email', 'not an address', undefined],
    ['nickname', 'Alice', 'Alice'],
    ['nickname', 'two\nlines', undefined],
    ['fullname', '', undefined],
    ['postcode', 'x'.repeat(1025), undefined],
  ] as const)('%s %j becomes %j', (field, value, expected) => {
    expect(normaliseSregValue(field, value)).toBe(expected);
  });
});
