import {
  buildPapeResponse,
  ICAM_NO_PII_POLICY,
  MalformedMessageError,
  OPENID2_NS,
  OpenIdMessage,
  PAPE_NS,
  PAPE_POLICY_MULTI_FACTOR,
  PAPE_POLICY_NONE,
  PAPE_POLICY_PHISHING_RESISTANT,
  parsePapeRequest,
} from '../../../../src/openid';

function message(extra: Record<string, string>): OpenIdMessage {
  return OpenIdMessage.fromParams({ 'openid.ns': OPENID2_NS, 'openid.mode': 'checkid_setup', 'openid.ns.pape': PAPE_NS, ...extra });
}

describe('PAPE request parsing', () => {
  it('reads preferred policies, max_auth_age and auth-level types', () => {
    expect(
      parsePapeRequest(
        message({
          'openid.pape.preferred_auth_policies': `${PAPE_POLICY_MULTI_FACTOR}  ${PAPE_POLICY_PHISHING_RESISTANT}`,
          'openid.pape.max_auth_age': '3600',
          'openid.pape.preferred_auth_level_types': 'nist',
          'openid.pape.auth_level.ns.nist': 'http://csrc.nist.gov/publications/nistpubs/800-63/SP800-63V1_0_2.pdf',
        }),
      ),
    ).toEqual({
      preferredAuthPolicies: [PAPE_POLICY_MULTI_FACTOR, PAPE_POLICY_PHISHING_RESISTANT],
      maxAuthAgeSeconds: 3600,
      preferredAuthLevelTypes: ['http://csrc.nist.gov/publications/nistpubs/800-63/SP800-63V1_0_2.pdf'],
      isNoPiiRequested: false,
    });
  });

  it('recognises the ICAM no-PII policy', () => {
    const request = parsePapeRequest(message({ 'openid.pape.preferred_auth_policies': ICAM_NO_PII_POLICY }));
    expect(request?.isNoPiiRequested).toBe(true);
  });

  it('accepts an empty policy list', () => {
    expect(parsePapeRequest(message({ 'openid.pape.preferred_auth_policies': '' }))?.preferredAuthPolicies).toEqual([]);
  });

  it.each(['-1', '1.5', 'soon', ''])('refuses max_auth_age %j', (value) => {
    expect(() => parsePapeRequest(message({ 'openid.pape.max_auth_age': value }))).toThrow(MalformedMessageError);
  });
});

describe('PAPE response', () => {
  const plain = { preferredAuthPolicies: [], preferredAuthLevelTypes: [], isNoPiiRequested: false };

  it('answers the none policy when nothing was met', () => {
    expect(buildPapeResponse(plain).fields).toEqual([['auth_policies', PAPE_POLICY_NONE]]);
  });

  it('reports the AW’s policies and auth_time in RFC 3339 UTC', () => {
    const response = buildPapeResponse(
      { ...plain, maxAuthAgeSeconds: 600 },
      { authPolicies: [PAPE_POLICY_MULTI_FACTOR], authTime: new Date('2024-01-01T10:20:30.456Z') },
    );
    expect(response).toEqual({
      namespace: PAPE_NS,
      alias: 'pape',
      fields: [['auth_policies', PAPE_POLICY_MULTI_FACTOR], ['auth_time', '2024-01-01T10:20:30Z']],
    });
  });

  it('lists no-PII among the met policies when the RP asked for it', () => {
    expect(buildPapeResponse({ ...plain, isNoPiiRequested: true }).fields).toEqual([['auth_policies', ICAM_NO_PII_POLICY]]);
  });
});
