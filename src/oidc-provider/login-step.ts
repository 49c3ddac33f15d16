import type { CustomerConfig } from '../customers';
import type { AuthorizationRequest } from '../oidc/authorization-request';
import type { HandoffCookie } from '../openid-provider';

/** What the login flow decided for a validated authorization request: hand the browser to the AW, or the customer is gone. */
export type OidcLoginDecision = { kind: 'redirect'; location: string; cookies: readonly HandoffCookie[] } | { kind: 'unknown_customer' };

/**
 * The seam between the OpenID Connect endpoints and the delegated login flow, as LoginStep is for
 * OpenID 2.0: the identity flow implements it, and the sign-in then runs through the same steps.
 */
export interface OidcLoginStep {
  beginOidc(customer: CustomerConfig, request: AuthorizationRequest): Promise<OidcLoginDecision>;
}
