import { OpenIdError } from '../openid';

/** The RP asked about an identifier that is not one of this customer's claimed identifiers. */
export class ForeignIdentifierError extends OpenIdError {
  constructor() {
    super('FOREIGN_IDENTIFIER', 'openid.identity is not an identifier of this OpenID provider');
  }
}

/**
 * [D] The address already holds the most live shared associations we keep for it at this customer
 * (§15.5: associate is a DoS surface). A plain direct error, nothing stored; refused before the
 * Diffie-Hellman exchange, or (when concurrent requests filled the quota meanwhile) just after it.
 */
export class AssociationLimitError extends OpenIdError {
  constructor() {
    super('ASSOCIATION_LIMIT', 'Too many live associations from this address: reuse an association you hold, or wait until one expires');
  }
}

/** A direct request (associate, check_authentication) that did not come as a POST (§5.1.1). */
export class DirectRequestMethodError extends OpenIdError {
  constructor(mode: string) {
    super('DIRECT_REQUEST_NOT_POST', `openid.mode=${mode} must be sent as a direct POST request`);
  }
}
