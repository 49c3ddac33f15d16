import {
  AX_TYPE_FOR_SREG,
  buildExtensionResponses,
  ICAM_NO_PII_POLICY,
  idsNamespaceFor,
  releasableFields,
  requestedFields,
  SREG_NS_1_1,
  type ExtensionRequests,
} from '../../../../src/openid';

const request: ExtensionRequests = {
  sreg: { namespace: SREG_NS_1_1, required: ['email'], optional: ['nickname', 'fullname'] },
  ax: {
    mode: 'fetch_request',
    attributes: [
      { alias: 'tz', typeUri: AX_TYPE_FOR_SREG.timezone, isRequired: true, count: 1, isCountExplicit: false, sregField: 'timezone' },
      { alias: 'nick', typeUri: AX_TYPE_FOR_SREG.nickname, isRequired: true, count: 1, isCountExplicit: false, sregField: 'nickname' },
    ],
  },
};
const supplied = { email: 'alice@example.com', nickname: 'alice', timezone: 'Europe/Paris', country: 'FR' };

describe('attribute release', () => {
  it('merges sreg and AX requests onto sreg fields, required winning', () => {
    expect(requestedFields(request)).toEqual({ required: ['nickname', 'email', 'timezone'], optional: ['fullname'] });
  });

  it('releases requested ∩ supplied ∩ granted', () => {
    expect(releasableFields(request, supplied, ['email', 'timezone', 'country', 'fullname'])).toEqual({
      email: 'alice@example.com',
      timezone: 'Europe/Paris',
    });
  });

  it('releases nothing when the RP asked for ICAM no-PII', () => {
    const noPii = { ...request, pape: { preferredAuthPolicies: [ICAM_NO_PII_POLICY], preferredAuthLevelTypes: [], isNoPiiRequested: true } };
    expect(releasableFields(noPii, supplied, ['email', 'nickname', 'timezone'])).toEqual({});
    const responses = buildExtensionResponses(noPii, { released: supplied });
    expect(responses.map((r) => r.alias)).toEqual(['pape']);
  });

  it('leaves the AW blob out under ICAM no-PII, keeping the login code', () => {
    const noPii = { ...request, pape: { preferredAuthPolicies: [ICAM_NO_PII_POLICY], preferredAuthLevelTypes: [], isNoPiiRequested: true } };
    const namespace = idsNamespaceFor('https://ids.example.com/');
    expect(buildExtensionResponses(noPii, { released: {}, ids: { namespace, blob: 'lastName=Liddell' } }).map((r) => r.alias)).toEqual(['pape']);
    const withCode = buildExtensionResponses(noPii, { released: {}, ids: { namespace, blob: 'lastName=Liddell', code: 'c0de' } });
    expect(withCode.find((r) => r.alias === 'ids')).toEqual({ namespace, alias: 'ids', fields: [['code', 'c0de']] });
  });

  it('answers sreg and AX from the same approved set, then ids with the blob', () => {
    const released = releasableFields(request, supplied, ['email', 'nickname']);
    const responses = buildExtensionResponses(request, {
      released,
      ids: { namespace: idsNamespaceFor('https://ids.example.com/'), blob: 'uuid=42' },
    });
    expect(responses).toEqual([
      { namespace: SREG_NS_1_1, alias: 'sreg', fields: [['nickname', 'alice'], ['email', 'alice@example.com']] },
      {
        namespace: 'http://openid.net/srv/ax/1.0',
        alias: 'ax',
        fields: [['mode', 'fetch_response'], ['type.nick', AX_TYPE_FOR_SREG.nickname], ['value.nick', 'alice']],
      },
      { namespace: 'https://ids.example.com/ns/ids/1.0', alias: 'ids', fields: [['blob', 'uuid=42']] },
    ]);
  });

  it('puts the login code into the ids extension, after the blob, and sends ids for a code alone', () => {
    const namespace = idsNamespaceFor('https://ids.example.com');
    expect(buildExtensionResponses({}, { released: {}, ids: { namespace, blob: 'b', code: 'c0de' } })).toEqual([
      { namespace, alias: 'ids', fields: [['blob', 'b'], ['code', 'c0de']] },
    ]);
    expect(buildExtensionResponses({}, { released: {}, ids: { namespace, code: 'c0de' } })).toEqual([{ namespace, alias: 'ids', fields: [['code', 'c0de']] }]);
  });

  it('never puts unrequested values into responses, even if passed as released', () => {
    const responses = buildExtensionResponses(request, { released: { country: 'FR', postcode: '75001' } });
    expect(responses.flatMap((r) => r.fields.map(([, value]) => value))).not.toContain('FR');
  });
});
