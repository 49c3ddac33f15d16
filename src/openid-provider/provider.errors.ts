import { OpenIdError } from '../openid';

/** The RP asked about an identifier that is not one of this customer's claimed identifiers. */
export class ForeignIdentifierError extends OpenIdError {
  constructor() {
    super('FOREIGN_IDENTIFIER', 'openid.identity is not an identifier of this OpenID provider');
  }
}

/** A direct request (associate, check_authentication) that did not come as a POST (§5.1.1). */
export class DirectRequestMethodError extends OpenIdError {
  constructor(mode: string) {
    super('DIRECT_REQUEST_NOT_POST', `openid.mode=${mode} must be sent as a direct POST request`);
  }
}
