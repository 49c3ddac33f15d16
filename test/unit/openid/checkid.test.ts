import {
  BadRealmError,
  IDENTIFIER_SELECT,
  IdentifierRequiredError,
  InsaneRealmError,
  InvalidReturnToError,
  MalformedMessageError,
  OPENID2_NS,
  OpenIdError,
  OpenIdMessage,
  parseCheckIdRequest,
  ReturnToOutsideRealmError,
  ReturnToRequiredError,
  UnknownModeError,
  UnsupportedVersionError,
  UntrustedRealmError,
  type CheckIdOptions,
} from '../../../src/openid';

/** docs/protocol.md#vectors-messages step 1. */
const step1: Record<string, string> = {
  'openid.ns': OPENID2_NS,
  'openid.mode': 'checkid_setup',
  'openid.claimed_id': IDENTIFIER_SELECT,
  'openid.identity': IDENTIFIER_SELECT,
  'openid.assoc_handle': '{HMAC-SHA256}{65920c80}{AbCdEf==}',
  'openid.return_to': 'https://rp.example.org/finish?sid=42',
  'openid.realm': 'https://rp.example.org/',
  'openid.ns.sreg': 'http://openid.net/extensions/sreg/1.1',
  'openid.sreg.required': 'email',
  'openid.sreg.optional': 'nickname,fullname',
};

function parse(changes: Record<string, string | undefined>, options: CheckIdOptions = {}) {
  const params: Record<string, string> = { ...step1 };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete params[key];
    else params[key] = value;
  }
  return parseCheckIdRequest(OpenIdMessage.fromParams(params), options);
}

function failure(changes: Record<string, string | undefined>, options: CheckIdOptions = {}): OpenIdError {
  try {
    parse(changes, options);
  } catch (error) {
    expect(error).toBeInstanceOf(OpenIdError);
    return error as OpenIdError;
  }
  throw new Error('expected the request to be refused');
}

describe('checkid: a valid request', () => {
  it('turns the §11.6 step 1 request into the auth request input', () => {
    expect(parse({})).toEqual({
      mode: 'checkid_setup',
      claimedId: IDENTIFIER_SELECT,
      identity: IDENTIFIER_SELECT,
      isIdentifierSelect: true,
      returnTo: 'https://rp.example.org/finish?sid=42',
      realm: 'https://rp.example.org/',
      assocHandle: '{HMAC-SHA256}{65920c80}{AbCdEf==}',
      sreg: {
        namespace: 'http://openid.net/extensions/sreg/1.1',
        required: ['email'],
        optional: ['nickname', 'fullname'],
      },
    });
  });

  it('defaults the realm to return_to', () => {
    expect(parse({ 'openid.realm': undefined }).realm).toBe('https://rp.example.org/finish?sid=42');
  });

  it('accepts checkid_immediate and a specific identifier with delegation', () => {
    const input = parse({
      'openid.mode': 'checkid_immediate',
      'openid.claimed_id': 'https://alice.example/',
      'openid.identity': 'https://op.example.com/c/acme/id/alice',
    });
    expect(input).toMatchObject({
      mode: 'checkid_immediate',
      claimedId: 'https://alice.example/',
      identity: 'https://op.example.com/c/acme/id/alice',
      isIdentifierSelect: false,
    });
  });

  it('is stateless without assoc_handle', () => {
    expect(parse({ 'openid.assoc_handle': undefined }).assocHandle).toBeUndefined();
  });

  it('accepts a realm on the customer whitelist', () => {
    expect(() => parse({}, { trustedRealms: ['https://*.example.org/'] })).not.toThrow();
  });
});

/** No protocol error carries a URL to go back to: every refusal of an indirect request is a page. */
function expectPageOnly(error: OpenIdError): void {
  expect(error).not.toHaveProperty('returnTo');
  expect(error).not.toHaveProperty('allowRedirect');
}

describe('checkid: refusals shown as a page, never redirected', () => {
  it.each([
    ['no return_to', { 'openid.return_to': undefined }, ReturnToRequiredError],
    ['a relative return_to', { 'openid.return_to': '/finish' }, InvalidReturnToError],
    ['a return_to with openid.* query keys', { 'openid.return_to': 'https://rp.example.org/?openid.mode=x' }, InvalidReturnToError],
    ['an unparseable realm', { 'openid.realm': 'https://rp.example.org/#x' }, BadRealmError],
    ['a return_to outside the realm', { 'openid.realm': 'https://other.example.org/' }, ReturnToOutsideRealmError],
    ['an insane realm', { 'openid.realm': 'https://*.org/' }, InsaneRealmError],
    ['an unknown mode with a bad return_to', { 'openid.mode': 'bogus', 'openid.return_to': 'nope' }, InvalidReturnToError],
  ])('%s', (_label, changes, errorClass) => {
    const error = failure(changes);
    expect(error).toBeInstanceOf(errorClass);
    expectPageOnly(error);
  });

  it('refuses a realm that is not on the whitelist', () => {
    const error = failure({}, { trustedRealms: ['https://partner.example.com/'] });
    expect(error).toBeInstanceOf(UntrustedRealmError);
    expectPageOnly(error);
  });

  it('refuses OpenID 1.x while parsing the message', () => {
    expect(() => OpenIdMessage.fromParams({ ...step1, 'openid.ns': undefined as unknown as string })).toThrow(
      UnsupportedVersionError,
    );
  });

  it('checks return_to before the realm (validation order of docs/protocol.md#checkid)', () => {
    expect(failure({ 'openid.return_to': 'nope', 'openid.realm': 'nope' })).toBeInstanceOf(InvalidReturnToError);
  });
});

describe('checkid: refusals after return_to passed its checks are pages too (never an openid.mode=error redirect)', () => {
  it.each([
    ['neither claimed_id nor identity', { 'openid.claimed_id': undefined, 'openid.identity': undefined }, IdentifierRequiredError],
    ['claimed_id without identity', { 'openid.identity': undefined }, MalformedMessageError],
    ['identity without claimed_id', { 'openid.claimed_id': undefined }, MalformedMessageError],
    ['identifier_select in only one of them', { 'openid.claimed_id': 'https://alice.example/' }, MalformedMessageError],
    ['an empty identity', { 'openid.claimed_id': '', 'openid.identity': '' }, MalformedMessageError],
    ['a malformed assoc_handle', { 'openid.assoc_handle': 'has space' }, MalformedMessageError],
    ['an unknown mode', { 'openid.mode': 'checkid_later' }, UnknownModeError],
    ['an AX alias without type', { 'openid.ns.ax': 'http://openid.net/srv/ax/1.0', 'openid.ax.mode': 'fetch_request', 'openid.ax.required': 'email' }, MalformedMessageError],
    ['a malformed PAPE max_auth_age', { 'openid.ns.pape': 'http://specs.openid.net/extensions/pape/1.0', 'openid.pape.max_auth_age': '-1' }, MalformedMessageError],
  ])('%s', (_label, changes, errorClass) => {
    const error = failure(changes);
    expect(error).toBeInstanceOf(errorClass);
    expectPageOnly(error);
  });
});
