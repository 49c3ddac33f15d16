import { OAuthTokenService } from '../oauth';
import { ProfileService } from '../profiles';
import { customerTenant } from '../shared/tenant';
import { SREG_FIELDS, SregField, SregValues } from '../openid';
import { claimsFor } from '../oidc/claims';
import { InsufficientScopeError, InvalidTokenError } from './oidc.errors';

export interface UserinfoDeps {
  tokens: OAuthTokenService;
  profiles: ProfileService;
}

/**
 * The UserInfo endpoint (OIDC Core §5.3): `sub` and the claims of the fields the token may read
 * (`profile.<field>` scopes, i.e. what the user released in the sign-in), read from the person's
 * stored profile. A restricted person (GDPR art. 18) gets `sub` alone.
 */
export class Userinfo {
  constructor(private readonly deps: UserinfoDeps) {}

  async claims(customerId: string, accessToken: string): Promise<Record<string, unknown>> {
    const grant = await this.deps.tokens.verifyAccessToken(accessToken);
    if (!grant || grant.customerId !== customerId || grant.subject === undefined) throw new InvalidTokenError();
    if (!grant.scopes.includes('openid')) throw new InsufficientScopeError();
    const sub = grant.subject;
    const profile = await this.deps.profiles.getByUsername(customerId, sub, customerTenant(customerId, sub));
    if (!profile || profile.restrictedAt !== null) return { sub };
    const released = SREG_FIELDS.filter((field) => grant.scopes.includes(`profile.${field}`));
    const values: SregValues = {};
    for (const field of released) {
      const value = profile[field as SregField];
      if (value !== null) values[field] = value;
    }
    return { ...claimsFor(values, released), sub };
  }
}
