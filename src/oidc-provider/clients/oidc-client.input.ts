import { Field, ID, InputType, registerEnumType } from 'type-graphql';

/** RFC 7591 §2 `token_endpoint_auth_method` values, as GraphQL enum names. The values are stored: never rename one. */
export enum OidcTokenEndpointAuthMethod {
  CLIENT_SECRET_BASIC = 'client_secret_basic',
  CLIENT_SECRET_POST = 'client_secret_post',
  PRIVATE_KEY_JWT = 'private_key_jwt',
  NONE = 'none',
}

/** JWS algorithms an ID token may be signed with (`id_token_signed_response_alg`). */
export enum IdTokenSigningAlg {
  ES256 = 'ES256',
  RS256 = 'RS256',
}

registerEnumType(OidcTokenEndpointAuthMethod, {
  name: 'OidcTokenEndpointAuthMethod',
  description: 'How a relying party authenticates at the token endpoint (RFC 7591 §2).',
  valuesConfig: {
    CLIENT_SECRET_BASIC: { description: 'client_secret_basic: the client secret in HTTP Basic (the default).' },
    CLIENT_SECRET_POST: { description: 'client_secret_post: the client secret in the request body.' },
    PRIVATE_KEY_JWT: { description: 'private_key_jwt: a JWT signed with a key of the registered `jwks` (RFC 7523); no secret.' },
    NONE: { description: 'none: a public client (native or single-page app), held to PKCE; no secret.' },
  },
});
registerEnumType(IdTokenSigningAlg, {
  name: 'IdTokenSigningAlg',
  description: 'The algorithm ID tokens for a client are signed with.',
  valuesConfig: { ES256: { description: 'ECDSA P-256 with SHA-256 (the default).' }, RS256: { description: 'RSASSA-PKCS1-v1_5 with SHA-256, for older clients.' } },
});

const REDIRECT_URIS =
  'Exact redirect URIs, 1-20, each an absolute https URL of at most 2000 characters without fragment or wildcard (plain http only for 127.0.0.1, [::1] or localhost), none repeated.';
const POST_LOGOUT_URIS = 'Where RP-initiated logout may return to: 0-20 URIs under the rules of `redirectUris`.';
const SCOPES = 'OpenID Connect scopes the client may ask for, from openid profile email address phone offline_access; must include openid.';
const JWKS = 'The client\'s public signing keys as a JSON JWK Set (EC P-256 or RSA of 2048 bits or more; no private key material). Required for PRIVATE_KEY_JWT.';
const LOGO = 'Logo shown on the consent page beside the name: an https URL (plain http only on a loopback host).';
const BACKCHANNEL = 'Where logout tokens are POSTed (OpenID Connect Back-Channel Logout 1.0): an https URL (plain http only on a loopback host).';

@InputType('CreateOidcClientInput', { description: 'A new OpenID Connect relying party of a customer.' })
export class CreateOidcClientInput {
  @Field(() => ID, { description: 'The customer whose users the relying party signs in.' })
  customerId!: string;

  @Field(() => String, { description: 'Display name shown on the consent page, 1-200 characters without control characters.' })
  name!: string;

  @Field(() => [String], { description: REDIRECT_URIS })
  redirectUris!: string[];

  @Field(() => [String], { nullable: true, description: `${POST_LOGOUT_URIS} Default: none.` })
  postLogoutRedirectUris?: string[] | null;

  @Field(() => [String], { nullable: true, description: `${SCOPES} Default: openid profile email.` })
  scopes?: string[] | null;

  @Field(() => OidcTokenEndpointAuthMethod, { nullable: true, description: 'How the client authenticates at the token endpoint. Default: CLIENT_SECRET_BASIC.' })
  tokenEndpointAuthMethod?: OidcTokenEndpointAuthMethod | null;

  @Field(() => IdTokenSigningAlg, { nullable: true, description: 'How its ID tokens are signed. Default: ES256.' })
  idTokenSignedResponseAlg?: IdTokenSigningAlg | null;

  @Field(() => String, { nullable: true, description: LOGO })
  logoUri?: string | null;

  @Field(() => String, { nullable: true, description: BACKCHANNEL })
  backchannelLogoutUri?: string | null;

  @Field(() => String, { nullable: true, description: JWKS })
  jwks?: string | null;
}

@InputType('UpdateOidcClientInput', { description: 'Changes to a relying party: omitted fields stay; null clears an optional one.' })
export class UpdateOidcClientInput {
  @Field(() => String, { nullable: true, description: 'New display name, 1-200 characters.' })
  name?: string | null;

  @Field(() => [String], { nullable: true, description: `Replaces the redirect URIs. ${REDIRECT_URIS}` })
  redirectUris?: string[] | null;

  @Field(() => [String], { nullable: true, description: `Replaces the post-logout redirect URIs (null or an empty list: none). ${POST_LOGOUT_URIS}` })
  postLogoutRedirectUris?: string[] | null;

  @Field(() => [String], { nullable: true, description: `Replaces the scopes. ${SCOPES}` })
  scopes?: string[] | null;

  @Field(() => OidcTokenEndpointAuthMethod, {
    nullable: true,
    description: 'A new authentication method. Switching to a secret method from one without a secret issues a secret (returned once); switching to NONE or PRIVATE_KEY_JWT deletes the secret.',
  })
  tokenEndpointAuthMethod?: OidcTokenEndpointAuthMethod | null;

  @Field(() => IdTokenSigningAlg, { nullable: true, description: 'A new ID token signing algorithm.' })
  idTokenSignedResponseAlg?: IdTokenSigningAlg | null;

  @Field(() => String, { nullable: true, description: `${LOGO} Null removes it.` })
  logoUri?: string | null;

  @Field(() => String, { nullable: true, description: `${BACKCHANNEL} Null removes it.` })
  backchannelLogoutUri?: string | null;

  @Field(() => String, { nullable: true, description: `${JWKS} Null removes them (refused while the method is PRIVATE_KEY_JWT).` })
  jwks?: string | null;
}
