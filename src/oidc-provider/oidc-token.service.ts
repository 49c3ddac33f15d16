import { ActorKind, identifyActor } from '../audit/actor';
import { CustomerConfig } from '../customers';
import { InvalidClientError, InvalidRequestError, UnsupportedGrantTypeError } from '../oauth';
import { oidcEndpoints, OidcEndpoints } from '../oidc/endpoints';
import { presentedClient } from './client-auth-method';
import { OidcClientAuthenticator } from './client-authenticator';
import { CodeExchange } from './code-exchange';
import { UnknownIssuerError } from './oidc.errors';
import { RefreshGrant } from './refresh-grant';
import { RegisteredClient } from './registered-client';
import { OidcIntrospection, TokenInspection } from './token-inspection';
import { OidcTokenResponse } from './token-issuer';
import { Userinfo } from './userinfo';

export interface OidcTokenServiceDeps {
  customers: { bySlug(slug: string): Promise<CustomerConfig | null> };
  publicUrl: string;
  authenticator: OidcClientAuthenticator;
  codes: CodeExchange;
  refreshes: RefreshGrant;
  inspection: TokenInspection;
  userinfo: Userinfo;
}

/** A client's request to one of the endpoints: its Authorization header and form parameters, unread. */
export interface ClientRequest {
  authorization: string | undefined;
  params: ReadonlyMap<string, string>;
}

/**
 * The OpenID Connect token, revocation, introspection and UserInfo endpoints of the customer a path
 * names (`/c/{slug}`). Each method runs in the request's unit of work, opened for that customer by
 * the transport (Database.forSlug); errors are typed (OAuthError, OidcError) for the transport to map.
 */
export class OidcTokenService {
  constructor(private readonly deps: OidcTokenServiceDeps) {}

  /** POST token (OIDC Core §3.1.3): `authorization_code` or `refresh_token`. */
  async token(slug: string, request: ClientRequest): Promise<OidcTokenResponse> {
    const { customer, endpoints } = await this.issuerOf(slug);
    const grantType = request.params.get('grant_type');
    if (grantType === undefined || grantType === '') throw new InvalidRequestError('grant_type is required');
    const client = await this.authenticate(customer, endpoints, endpoints.token, request);
    if (grantType === 'authorization_code') return this.deps.codes.exchange(endpoints.issuer, client, request.params);
    if (grantType === 'refresh_token') return this.deps.refreshes.refresh(endpoints.issuer, client, request.params);
    throw new UnsupportedGrantTypeError('only authorization_code and refresh_token are supported here');
  }

  /** POST revoke (RFC 7009): always succeeds for an authenticated client, whatever the token. */
  async revoke(slug: string, request: ClientRequest): Promise<void> {
    const { customer, endpoints } = await this.issuerOf(slug);
    const client = await this.authenticate(customer, endpoints, endpoints.revocation, request);
    await this.deps.inspection.revoke(client, tokenParam(request.params), request.params.get('token_type_hint'));
  }

  /** POST introspect (RFC 7662): the client's own tokens only; anything else is inactive. */
  async introspect(slug: string, request: ClientRequest): Promise<OidcIntrospection> {
    const { customer, endpoints } = await this.issuerOf(slug);
    const client = await this.authenticate(customer, endpoints, endpoints.introspection, request);
    // A public client proves nothing by naming itself: introspection is for clients that authenticate (as discovery says).
    if (client.tokenEndpointAuthMethod === 'none') throw new InvalidClientError(false);
    return this.deps.inspection.introspect(endpoints.issuer, client, tokenParam(request.params), request.params.get('token_type_hint'));
  }

  /** GET|POST userinfo (OIDC Core §5.3) with a bearer access token. */
  async userinfo(slug: string, accessToken: string): Promise<Record<string, unknown>> {
    const { customer } = await this.issuerOf(slug);
    return this.deps.userinfo.claims(customer.id, accessToken);
  }

  private async issuerOf(slug: string): Promise<{ customer: CustomerConfig; endpoints: OidcEndpoints }> {
    const customer = await this.deps.customers.bySlug(slug);
    if (!customer) throw new UnknownIssuerError();
    return { customer, endpoints: oidcEndpoints(this.deps.publicUrl, customer.slug) };
  }

  private async authenticate(customer: CustomerConfig, endpoints: OidcEndpoints, endpoint: string, request: ClientRequest): Promise<RegisteredClient> {
    const presented = presentedClient(request.authorization, request.params);
    const client = await this.deps.authenticator.authenticate(customer.id, presented, { issuer: endpoints.issuer, tokenEndpoint: endpoints.token, endpoint });
    identifyActor({ kind: ActorKind.CLIENT, id: client.clientId });
    return client;
  }
}

function tokenParam(params: ReadonlyMap<string, string>): string {
  const token = params.get('token');
  if (!token) throw new InvalidRequestError('token is required');
  return token;
}
