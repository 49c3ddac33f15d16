import { Field, ID, ObjectType } from 'type-graphql';
import { Connection } from '../graphql/connection';
import { OAuthClient } from './oauth-client.entity';

@ObjectType('OAuthClient', { description: 'An OAuth 2.0 client that gets access tokens with the client credentials grant.' })
export class OAuthClientType {
  @Field(() => ID, { description: 'Stable identifier (for the mutations; not the client_id).' })
  id!: string;

  @Field(() => String, { description: 'The client_id presented at the token endpoint.' })
  clientId!: string;

  @Field(() => ID, { description: 'The customer the client acts for.' })
  customerId!: string;

  @Field(() => String, { description: 'Display name.' })
  name!: string;

  @Field(() => [String], { description: 'Scopes the client may request.' })
  scopes!: string[];

  @Field(() => Boolean, { description: 'Whether the client is disabled (it can no longer get or check tokens).' })
  isDisabled!: boolean;

  @Field(() => Date, { nullable: true, description: 'When the client was disabled; null while it is enabled.' })
  disabledAt!: Date | null;

  @Field(() => Date, { description: 'When the client was created.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When the client last changed (secret rotation, disabling).' })
  updatedAt!: Date;

  static from(client: OAuthClient): OAuthClientType {
    return Object.assign(new OAuthClientType(), {
      id: client.id,
      clientId: client.clientId,
      customerId: client.customer.id,
      name: client.name,
      scopes: [...client.scopes],
      isDisabled: client.disabledAt !== null,
      disabledAt: client.disabledAt,
      createdAt: client.createdAt,
      updatedAt: client.updatedAt,
    });
  }
}

@ObjectType('OAuthClientConnection', { description: 'A page of OAuth clients.' })
export class OAuthClientConnection extends Connection(OAuthClientType) {}

@ObjectType('CreateOAuthClientPayload', { description: 'Result of createOAuthClient.' })
export class CreateOAuthClientPayload {
  @Field(() => String, { description: 'The client_id for the token endpoint.' })
  clientId!: string;

  @Field(() => String, { description: 'The client_secret. Shown only now: store it, we keep only a hash.' })
  clientSecret!: string;

  @Field(() => OAuthClientType, { description: 'The new client.' })
  client!: OAuthClientType;
}

@ObjectType('RotateOAuthClientSecretPayload', { description: 'Result of rotateOAuthClientSecret.' })
export class RotateOAuthClientSecretPayload {
  @Field(() => String, { description: 'The new client_secret. Shown only now; the previous one stopped working.' })
  clientSecret!: string;

  @Field(() => OAuthClientType, { description: 'The client.' })
  client!: OAuthClientType;
}

@ObjectType('DisableOAuthClientPayload', { description: 'Result of disableOAuthClient.' })
export class DisableOAuthClientPayload {
  @Field(() => OAuthClientType, { description: 'The client, now disabled.' })
  client!: OAuthClientType;
}
