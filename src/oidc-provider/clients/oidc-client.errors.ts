import { DomainError, NotFoundError } from '../../shared/errors';

/** No OIDC client by this id that the caller may see (a service client's id is not one either). */
export class OidcClientNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('OIDC client', id);
  }
}

/** A client authenticating with `none` or `private_key_jwt` has no secret to rotate. */
export class OidcClientHasNoSecretError extends DomainError {
  constructor(method: string) {
    super('CLIENT_SECRET_NOT_USED', `this client authenticates with ${method}, which uses no client secret`, { tokenEndpointAuthMethod: method });
  }
}
