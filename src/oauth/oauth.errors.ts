import { NotFoundError, ValidationError } from '../shared/errors';
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

/**
 * An OAuth 2.0 protocol error (RFC 6749 §5.2, RFC 7009 §2.2.1). `error` is the registered code
 * sent to the client, `description` is safe to show. One subclass per failure.
 */
export abstract class OAuthError extends Error {
  abstract readonly error: string;
  abstract readonly status: number;

  constructor(readonly description: string) {
    super(description);
    this.name = new.target.name;
  }
}

export class InvalidRequestError extends OAuthError {
  readonly error = 'invalid_request';
  readonly status = 400;
}

/**
 * Client authentication failed (RFC 6749 §5.2). When the client tried HTTP Basic the answer must
 * be 401 with a `WWW-Authenticate` challenge; `usedBasic` tells the transport to add it.
 */
export class InvalidClientError extends OAuthError {
  readonly error = 'invalid_client';
  readonly status = 401;

  constructor(readonly usedBasic: boolean) {
    super('client authentication failed');
  }
}

export class UnsupportedGrantTypeError extends OAuthError {
  readonly error = 'unsupported_grant_type';
  readonly status = 400;
}

export class InvalidScopeError extends OAuthError {
  readonly error = 'invalid_scope';
  readonly status = 400;
}

/** RFC 6749 §5.2: the authorization grant (here a login code) is invalid, expired, used or not this client's. */
export class InvalidGrantError extends OAuthError {
  readonly error = 'invalid_grant';
  readonly status = 400;
}
