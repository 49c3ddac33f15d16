import { disclosureOf, DisclosureFacts, DisclosurePurpose } from '../../../src/profiles/disclosure';

const ALL = { attributes: true, blob: true, activity: true };
const NOTHING = { attributes: false, blob: false, activity: false };

describe('the disclosure rule', () => {
  it.each<[string, DisclosureFacts, DisclosurePurpose, object]>([
    ['an adult, unrestricted: the assertion carries attributes and the blob', {}, 'assertion', ALL],
    ['no-PII asked: neither attributes nor the blob ride on the assertion', { isNoPiiRequested: true }, 'assertion', { attributes: false, blob: false, activity: true }],
    ['a child: neither attributes nor the blob', { isMinor: true }, 'assertion', { attributes: false, blob: false, activity: true }],
    ['restricted: nothing at all', { isRestricted: true }, 'assertion', NOTHING],
    ['an adult postback is recorded on the profile (no blob there)', {}, 'record', { attributes: true, blob: false, activity: true }],
    ['no-PII is the RP\'s wish about its assertion, not about our record', { isNoPiiRequested: true }, 'record', { attributes: true, blob: false, activity: true }],
    ['a child\'s attributes are never recorded', { isMinor: true }, 'record', { attributes: false, blob: false, activity: true }],
    ['a restricted person\'s new values are not recorded (storage only)', { isRestricted: true }, 'record', NOTHING],
    ['an integrator read of an unrestricted person', {}, 'read', { attributes: true, blob: false, activity: true }],
    ['an integrator read, webhook or portability export of a restricted person shows nothing', { isRestricted: true }, 'read', NOTHING],
    ['the person\'s own access request gets everything held, restricted or not', { isRestricted: true }, 'subject-access', { attributes: true, blob: false, activity: true }],
  ])('%s', (_case, facts, purpose, expected) => {
    expect(disclosureOf(facts, purpose)).toEqual(expected);
  });
});
