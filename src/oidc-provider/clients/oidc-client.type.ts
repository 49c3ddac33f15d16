import { Field, ID, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/connection';
import type { OAuthClient } from '../../oauth';
import { IdTokenSigningAlg, OidcTokenEndpointAuthMethod } from './oidc-client.input';

@ObjectType('OidcClient', { description: 'An OpenID Connect relying party of a customer (never its secret).' })
export class OidcClientType {
  @Field(() => ID, { description: 'Stable identifier (for the mutations; not the client_id).' })
  id!: string;

  @Field(() => String, { description: 'The public client_id the relying party presents.' })
  clientId!: string;

  @Field(() => ID, { description: 'The customer whose users it signs in.' })
  customerId!: string;

  @Field(() => String, { description: 'Display name, shown on the consent page.' })
  name!: string;

  @Field(() => [String], { description: 'Exact redirect URIs: the authorization endpoint accepts no other.' })
  redirectUris!: string[];

  @Field(() => [String], { description: 'Where RP-initiated logout may return to.' })
  postLogoutRedirectUris!: string[];

  @Field(() => [String], { description: 'OpenID Connect scopes the client may ask for.' })
  scopes!: string[];

  @Field(() => OidcTokenEndpointAuthMethod, { description: 'How the client authenticates at the token endpoint.' })
  tokenEndpointAuthMethod!: OidcTokenEndpointAuthMethod;

  @Field(() => Boolean, { description: 'Whether a client secret is set (only for the secret methods).' })
  hasSecret!: boolean;

  @Field(() => String, { nullable: true, description: 'The registered public keys (a JSON JWK Set) for PRIVATE_KEY_JWT; null when none.' })
  jwks!: string | null;

  @Field(() => IdTokenSigningAlg, { description: 'The algorithm its ID tokens are signed with.' })
  idTokenSignedResponseAlg!: IdTokenSigningAlg;

  @Field(() => String, { nullable: true, description: 'Logo shown on the consent page; null when none.' })
  logoUri!: string | null;

  @Field(() => String, { nullable: true, description: 'Where logout tokens are POSTed; null when none.' })
  backchannelLogoutUri!: string | null;

  @Field(() => Date, { description: 'When the client was registered.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When the client last changed.' })
  updatedAt!: Date;

  static from(client: OAuthClient): OidcClientType {
    return Object.assign(new OidcClientType(), {
      id: client.id,
      clientId: client.clientId,
      customerId: client.customer.id,
      name: client.name,
      redirectUris: [...client.redirectUris],
      postLogoutRedirectUris: [...client.postLogoutRedirectUris],
      scopes: [...client.scopes],
      tokenEndpointAuthMethod: client.tokenEndpointAuthMethod as OidcTokenEndpointAuthMethod,
      hasSecret: client.secretHash !== null,
      jwks: client.jwks === null ? null : JSON.stringify(client.jwks),
      idTokenSignedResponseAlg: client.idTokenSignedResponseAlg as IdTokenSigningAlg,
      logoUri: client.logoUri,
      backchannelLogoutUri: client.backchannelLogoutUri,
      createdAt: client.createdAt,
      updatedAt: client.updatedAt,
    });
  }
}

@ObjectType('OidcClientConnection', { description: 'A page of OpenID Connect clients.' })
export class OidcClientConnection extends Connection(OidcClientType) {}

/** The fields the three mutations that may issue a secret answer with. */
@ObjectType()
abstract class OidcClientSecretPayload {
  @Field(() => String, { description: 'The client_id the relying party presents.' })
  clientId!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The client_secret when one was just issued: shown only now (we keep only a hash). Null when none was issued (NONE and PRIVATE_KEY_JWT have none).',
  })
  clientSecret!: string | null;

  @Field(() => OidcClientType, { description: 'The client.' })
  client!: OidcClientType;
}

@ObjectType('CreateOidcClientPayload', { description: 'Result of createOidcClient.' })
export class CreateOidcClientPayload extends OidcClientSecretPayload {}

@ObjectType('UpdateOidcClientPayload', { description: 'Result of updateOidcClient.' })
export class UpdateOidcClientPayload extends OidcClientSecretPayload {}

@ObjectType('RotateOidcClientSecretPayload', { description: 'Result of rotateOidcClientSecret; the previous secret stopped working.' })
export class RotateOidcClientSecretPayload extends OidcClientSecretPayload {}

@ObjectType('DeleteOidcClientPayload', { description: 'Result of deleteOidcClient.' })
export class DeleteOidcClientPayload {
  @Field(() => ID, { description: 'The id of the deleted client.' })
  id!: string;
}
