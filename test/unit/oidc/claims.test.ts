import { claimsFor, fieldsForScopes } from '../../../src/oidc/claims';

describe('scopes and claims', () => {
  it('asks the AW for the fields behind each scope, once each', () => {
    expect(fieldsForScopes(['openid', 'email', 'profile', 'email', 'address', 'phone', 'unknown'])).toEqual([
      'email',
      'fullname',
      'nickname',
      'dob',
      'gender',
      'language',
      'timezone',
      'postcode',
      'country',
    ]);
    expect(fieldsForScopes(['openid'])).toEqual([]);
  });

  it('releases only the released fields that have a value, as standard claims', () => {
    const values = { email: 'a@example.org', fullname: 'Alice L', gender: 'F', language: 'en_GB', postcode: 'OX1', country: 'GB', nickname: 'al' };
    expect(claimsFor(values, ['email', 'fullname', 'gender', 'language', 'postcode', 'country', 'dob'])).toEqual({
      email: 'a@example.org',
      email_verified: false,
      name: 'Alice L',
      gender: 'female',
      locale: 'en-GB',
      address: { postal_code: 'OX1', country: 'GB' },
    });
    expect(claimsFor(values, [])).toEqual({});
  });
});
