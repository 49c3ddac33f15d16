import type { CustomerConfig } from '../customers';
import type { HandoffCookie } from '../openid-provider';
import { AuthorizationPageError, AuthorizationPageRefusal, AuthorizationRedirectError } from '../oidc/authorization-errors';
import { authorizationResponseUrl, AuthorizationParams, clientOf, parseAuthorizationRequest } from '../oidc/authorization-request';
import { oidcEndpoints } from '../oidc/endpoints';
import type { StoredAuthorization } from '../oidc/stored-authorization';
import type { OidcLoginStep } from './login-step';
import type { OidcClientLookup } from './registered-client';

export interface OidcAuthorizationDeps {
  /** Customers by slug, cached in the process. */
  customers: { bySlug(slug: string): Promise<CustomerConfig | null> };
  clients: OidcClientLookup;
  login: OidcLoginStep;
  publicUrl: string;
}

/** What the authorization endpoint answers: a page for the person, or a redirect (to the AW, or back to the client). */
export type AuthorizeResult =
  | { kind: 'page'; refusal: AuthorizationPageRefusal | 'UNKNOWN_PROVIDER' }
  | { kind: 'redirect'; location: string; cookies: readonly HandoffCookie[] };

/** How a sign-in ended for an OpenID Connect client (the flow's `oidc` result). */
export type OidcOutcome = { code: string } | { error: string; description: string };

/**
 * The authorization endpoint of every customer's OpenID Connect provider (Core §3.1.2): validates
 * the request against the client's registration, then hands the person to the same delegated login
 * as OpenID 2.0 (the AW's Verify URL); the flow's browser steps later answer through `answer`.
 */
export class OidcAuthorizationService {
  constructor(private readonly deps: OidcAuthorizationDeps) {}

  async authorize(slug: string, params: AuthorizationParams): Promise<AuthorizeResult> {
    const customer = await this.deps.customers.bySlug(slug);
    if (!customer) return { kind: 'page', refusal: 'UNKNOWN_PROVIDER' };
    let redirectUri: string | null = null;
    try {
      const named = clientOf(params);
      const client = await this.deps.clients.find(customer.id, named.clientId);
      const request = parseAuthorizationRequest(params, client);
      redirectUri = request.stored.redirectUri;
      // We cannot see the AW's session (docs/protocol.md#decision-immediate, as for checkid_immediate): a request that must not show anything is answered at once.
      if (request.isPromptNone) throw new AuthorizationRedirectError('login_required', 'the provider cannot sign in without showing the login page');
      const decision = await this.deps.login.beginOidc(customer, request);
      if (decision.kind === 'unknown_customer') return { kind: 'page', refusal: 'UNKNOWN_PROVIDER' };
      return { kind: 'redirect', location: decision.location, cookies: decision.cookies };
    } catch (err) {
      if (err instanceof AuthorizationPageError) return { kind: 'page', refusal: err.refusal };
      if (!(err instanceof AuthorizationRedirectError)) throw err;
      // The redirect URI is registered for the client (parseAuthorizationRequest checked it before any redirectable error).
      const checked = redirectUri ?? clientOf(params).redirectUri!;
      const location = authorizationResponseUrl(checked, { error: err.error, error_description: err.description }, stateOf(params), this.issuer(customer));
      return { kind: 'redirect', location, cookies: [] };
    }
  }

  /** The redirect that ends a sign-in for its client: the code, or the error, with its state and our issuer. */
  answer(customer: CustomerConfig, request: StoredAuthorization, outcome: OidcOutcome): string {
    const answer: Record<string, string> = 'code' in outcome ? { code: outcome.code } : { error: outcome.error, error_description: outcome.description };
    return authorizationResponseUrl(request.redirectUri, answer, request.state, this.issuer(customer));
  }

  private issuer(customer: CustomerConfig): string {
    return oidcEndpoints(this.deps.publicUrl, customer.slug).issuer;
  }
}

/** The request's state to echo with an error: its one value, when it was sent once and is sane. */
function stateOf(params: AuthorizationParams): string | null {
  const values = params.filter(([key]) => key === 'state');
  return values.length === 1 && values[0]![1] !== '' && values[0]![1].length <= 2048 ? values[0]![1] : null;
}
