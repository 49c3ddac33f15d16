import { DomainError, NotFoundError, ValidationError } from '../shared/errors';
import { OAUTH_SCOPES } from './scopes';

export class OAuthClientNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('OAuth client', id);
  }
}

export class UnknownScopeError extends ValidationError {
  constructor(scope: string) {
    super('scopes', `unknown scope ${JSON.stringify(scope)}; known scopes: ${OAUTH_SCOPES.join(' ')}`);
  }
}

/** The OAuth 2.0 failures (RFC 6749 §5.2, RFC 7009 §2.2.1) our token endpoints report. */
export type OAuthFailure = 'INVALID_REQUEST' | 'INVALID_CLIENT' | 'UNAUTHORIZED_CLIENT' | 'UNSUPPORTED_GRANT_TYPE' | 'INVALID_SCOPE' | 'INVALID_GRANT';

/**
 * An OAuth 2.0 protocol error: a domain error whose code names the RFC 6749 §5.2 failure; the
 * message is the `error_description`, safe to show. The OAuth routes map each code to its
 * registered `error` and status in one table (src/http/oauth-answers.ts). One subclass per failure.
 */
export abstract class OAuthError extends DomainError {
  declare readonly code: OAuthFailure;

  constructor(code: OAuthFailure, description: string) {
    super(code, description);
  }
}

export class InvalidRequestError extends OAuthError {
  constructor(description: string) {
    super('INVALID_REQUEST', description);
  }
}

/**
 * Client authentication failed (RFC 6749 §5.2). `usedBasic` says the client tried HTTP Basic, in
 * which case the transport must add a `WWW-Authenticate` challenge.
 */
export class InvalidClientError extends OAuthError {
  constructor(readonly usedBasic: boolean) {
    super('INVALID_CLIENT', 'client authentication failed');
  }
}

/**
 * RFC 6749 §5.2: the client authenticated but may not use this grant or endpoint: an OpenID Connect
 * relying party (kind OIDC) at the service clients' `/oauth/*` endpoints, which it has its own of.
 */
export class UnauthorizedClientError extends OAuthError {
  constructor(description: string) {
    super('UNAUTHORIZED_CLIENT', description);
  }
}

export class UnsupportedGrantTypeError extends OAuthError {
  constructor(description: string) {
    super('UNSUPPORTED_GRANT_TYPE', description);
  }
}

export class InvalidScopeError extends OAuthError {
  constructor(description: string) {
    super('INVALID_SCOPE', description);
  }
}

/** RFC 6749 §5.2: the authorization grant (here a login code) is invalid, expired, used or not this client's. */
export class InvalidGrantError extends OAuthError {
  constructor(description: string) {
    super('INVALID_GRANT', description);
  }
}
