import type { SregField, SregValues } from '../openid';

/**
 * Scopes and claims of OpenID Connect Core §5.4, onto the attributes the AW supplies (the sreg
 * fields, which AX types map onto as well). This table is the documented mapping (README, "OpenID
 * Connect"): a scope asks for its fields exactly as an OpenID 2.0 request asks for them with
 * `openid.sreg.optional`, so the AW, the consent page and the disclosure rules see no difference.
 */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'address', 'phone', 'offline_access'] as const;
export type OidcScope = (typeof OIDC_SCOPES)[number];

export const SCOPE_FIELDS: Readonly<Record<OidcScope, readonly SregField[]>> = {
  openid: [],
  profile: ['fullname', 'nickname', 'dob', 'gender', 'language', 'timezone'],
  email: ['email'],
  address: ['postcode', 'country'],
  // Neither sreg nor our AX mapping carries a telephone number: the scope is accepted and releases nothing.
  phone: [],
  offline_access: [],
};

/** The claim each released field becomes (§5.1); `address` is a JSON object (§5.1.1). */
export const FIELD_CLAIMS: Readonly<Record<SregField, string>> = {
  fullname: 'name',
  nickname: 'nickname',
  dob: 'birthdate',
  gender: 'gender',
  language: 'locale',
  timezone: 'zoneinfo',
  email: 'email',
  postcode: 'address.postal_code',
  country: 'address.country',
};

export function isOidcScope(scope: string): scope is OidcScope {
  return (OIDC_SCOPES as readonly string[]).includes(scope);
}

/** The fields a set of scopes asks for, in the order of the table, without repeats. */
export function fieldsForScopes(scopes: readonly string[]): SregField[] {
  const fields: SregField[] = [];
  for (const scope of scopes) {
    if (!isOidcScope(scope)) continue;
    for (const field of SCOPE_FIELDS[scope]) if (!fields.includes(field)) fields.push(field);
  }
  return fields;
}

/** sreg gender (M/F) as the `gender` claim's values (§5.1). */
const GENDER: Readonly<Record<string, string>> = { M: 'male', F: 'female' };

/**
 * The claims for the released values: only fields in `released` with a value, nothing else. The
 * caller has already applied consent, restriction, children's and no-PII rules (the completion
 * step released only what those allow).
 */
export function claimsFor(values: SregValues, released: readonly SregField[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  const address: Record<string, string> = {};
  for (const field of released) {
    const value = values[field];
    if (value === undefined || value === '') continue;
    const claim = FIELD_CLAIMS[field];
    if (claim.startsWith('address.')) address[claim.slice('address.'.length)] = value;
    else if (field === 'gender') claims.gender = GENDER[value] ?? value;
    else if (field === 'language') claims.locale = value.replace('_', '-');
    else claims[claim] = value;
  }
  // §5.1: an address given as a verified e-mail would need `email_verified`; the AW says nothing about verification, so it is false.
  if (claims.email !== undefined) claims.email_verified = false;
  if (Object.keys(address).length > 0) claims.address = address;
  return claims;
}

/** Every claim name this provider can release (discovery's `claims_supported`, beside the ID token's own). */
export const SUPPORTED_CLAIMS: readonly string[] = ['sub', 'name', 'nickname', 'birthdate', 'gender', 'locale', 'zoneinfo', 'email', 'email_verified', 'address'];
