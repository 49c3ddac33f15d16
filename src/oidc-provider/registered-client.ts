import type { IdTokenAlg, TokenEndpointAuthMethod } from '../oauth/oauth-client.entity';

/**
 * A relying party as the OpenID Connect endpoints see it: an enabled OAuth client of kind OIDC of
 * one customer, read once and cached per instance (dropped on any change of the customer's clients,
 * `oidc_client:<customer id>` on the change feed).
 */
export interface RegisteredClient {
  /** The row's id (oauth_client.id): what codes, tokens and the stored request name. */
  readonly id: string;
  /** The public `client_id`. */
  readonly clientId: string;
  readonly customerId: string;
  readonly name: string;
  readonly logoUri: string | null;
  /** Exact redirect URIs: no other is accepted. */
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  /** OpenID Connect scopes the client may ask for (oidc/claims.ts, OIDC_SCOPES). */
  readonly scopes: readonly string[];
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** The client's public keys for `private_key_jwt`. */
  readonly jwks: { keys: ReadonlyArray<Record<string, unknown>> } | null;
  readonly idTokenSignedResponseAlg: IdTokenAlg;
  readonly backchannelLogoutUri: string | null;
  /** Keyed hash of the secret (null for `none` and `private_key_jwt`). */
  readonly secretHash: string | null;
}

/** Finds a customer's enabled OIDC clients by client_id (null for unknown, disabled or service clients). */
export interface OidcClientLookup {
  find(customerId: string, clientId: string): Promise<RegisteredClient | null>;
}
