import { DomainError } from '../shared/errors';

/**
 * Failures of the OpenID Connect endpoints that are not RFC 6749 §5.2 token errors (those reuse
 * src/oauth/oauth.errors.ts). The routes map each code to its wire answer in one table.
 */
export type OidcFailure = 'UNKNOWN_ISSUER' | 'MISSING_TOKEN' | 'INVALID_TOKEN' | 'INSUFFICIENT_SCOPE';

export abstract class OidcError extends DomainError {
  declare readonly code: OidcFailure;

  constructor(code: OidcFailure, description: string) {
    super(code, description);
  }
}

/** No customer has the slug of the path: there is no issuer there. */
export class UnknownIssuerError extends OidcError {
  constructor() {
    super('UNKNOWN_ISSUER', 'no OpenID Connect provider at this address');
  }
}

/** RFC 6750 §3.1: no token at all, answered with a bare challenge (no error code). */
export class MissingTokenError extends OidcError {
  constructor() {
    super('MISSING_TOKEN', 'an access token is required');
  }
}

/** RFC 6750 §3.1 `invalid_token`: the bearer token is unknown, expired, revoked, another issuer's or names nobody. */
export class InvalidTokenError extends OidcError {
  constructor(description = 'the access token is invalid, expired or revoked') {
    super('INVALID_TOKEN', description);
  }
}

/** RFC 6750 §3.1 `insufficient_scope`: the token lacks `openid` (OIDC Core §5.3). */
export class InsufficientScopeError extends OidcError {
  constructor() {
    super('INSUFFICIENT_SCOPE', 'the access token was not issued with the openid scope');
  }
}
