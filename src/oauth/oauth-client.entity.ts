import { randomUUID } from 'node:crypto';
import { ArrayType, Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';

/** What a client is for: a service calling the API (client credentials, login codes), or a relying party signing people in by OpenID Connect. */
export const OAUTH_CLIENT_KINDS = ['SERVICE', 'OIDC'] as const;
export type OAuthClientKind = (typeof OAUTH_CLIENT_KINDS)[number];

/** How a client authenticates at the token endpoint (RFC 7591 §2); `none` is a public client, held to PKCE. */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/** Algorithms an ID token may be signed with. */
export const ID_TOKEN_ALGS = ['ES256', 'RS256'] as const;
export type IdTokenAlg = (typeof ID_TOKEN_ALGS)[number];

/**
 * An OAuth 2.0 client of one customer: a confidential service client, or an OpenID Connect relying
 * party (`kind` OIDC, with its redirect URIs). A secret is stored only as a keyed hash; a disabled
 * client can neither get nor introspect tokens.
 */
@Entity({ tableName: 'oauth_client' })
@Check({
  name: 'oauth_client_kind_check_shape',
  expression: `(((kind = 'SERVICE'::text) AND (secret_hash IS NOT NULL)) OR ((kind = 'OIDC'::text) AND (cardinality(redirect_uris) > 0)))`,
})
@Index({ properties: ['customer', 'createdAt', 'id'], name: 'oauth_client_customer_created_index' })
export class OAuthClient {
  [OptionalProps]?: 'kind' | 'redirectUris' | 'postLogoutRedirectUris' | 'tokenEndpointAuthMethod' | 'idTokenSignedResponseAlg';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 64, unique: 'oauth_client_client_id_unique' })
  clientId!: string;

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade' })
  customer!: Customer;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  scopes: string[] = [];

  /** Null for a public client and for one authenticating with `private_key_jwt`. */
  @Property({ type: 'string', length: 64, nullable: true })
  secretHash: string | null = null;

  @Enum({ items: () => [...OAUTH_CLIENT_KINDS], type: 'text', default: 'SERVICE' })
  kind: OAuthClientKind = 'SERVICE';

  /** Exact redirect URIs of a relying party (OIDC): the authorization endpoint accepts no other. */
  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  redirectUris: string[] = [];

  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  postLogoutRedirectUris: string[] = [];

  @Enum({ items: () => [...TOKEN_ENDPOINT_AUTH_METHODS], type: 'text', default: 'client_secret_basic' })
  tokenEndpointAuthMethod: TokenEndpointAuthMethod = 'client_secret_basic';

  /** The client's public keys (a JWK Set), for `private_key_jwt`. */
  @Property({ type: 'json', nullable: true })
  jwks: { keys: Array<Record<string, unknown>> } | null = null;

  @Enum({ items: () => [...ID_TOKEN_ALGS], type: 'text', default: 'ES256' })
  idTokenSignedResponseAlg: IdTokenAlg = 'ES256';

  /** Shown on the consent page beside the client's name. */
  @Property({ type: 'text', nullable: true })
  logoUri: string | null = null;

  /** Where logout tokens are POSTed (OpenID Connect Back-Channel Logout 1.0). */
  @Property({ type: 'text', nullable: true })
  backchannelLogoutUri: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  disabledAt: Date | null = null;
}
