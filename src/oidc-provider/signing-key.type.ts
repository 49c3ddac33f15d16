import { Field, ObjectType, registerEnumType } from 'type-graphql';
import type { IdTokenAlg } from '../oauth/oauth-client.entity';
import { IdTokenSigningAlg } from './clients/oidc-client.input';
import type { SigningKeyInfo } from './signing-keys.service';

export enum OidcSigningKeyStatus {
  PUBLISHED = 'PUBLISHED',
  ACTIVE = 'ACTIVE',
  RETIRED = 'RETIRED',
}

registerEnumType(OidcSigningKeyStatus, {
  name: 'OidcSigningKeyStatus',
  description: 'Where a signing key stands in its rotation now.',
  valuesConfig: {
    PUBLISHED: { description: 'In the JWKS, not signing yet: relying parties fetch it before they meet a token it signed.' },
    ACTIVE: { description: 'Signs the ID tokens of its algorithm.' },
    RETIRED: { description: 'No longer signs; still in the JWKS until `expiresAt`, so the tokens it signed verify.' },
  },
});

@ObjectType('OidcSigningKey', { description: 'One of a customer\'s OpenID Connect ID token signing keys (its public part is in the JWKS; the private part never leaves the service).' })
export class OidcSigningKeyType {
  @Field(() => String, { description: 'Key id: the JWK thumbprint (RFC 7638, SHA-256), the `kid` of the tokens it signs.' })
  kid!: string;

  @Field(() => IdTokenSigningAlg, { description: 'The algorithm it signs with.' })
  alg!: IdTokenAlg;

  @Field(() => OidcSigningKeyStatus, { description: 'Where it stands now.' })
  status!: OidcSigningKeyStatus;

  @Field(() => Date, { description: 'When it was made and published in the JWKS.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When it starts signing (after OIDC_KEY_PUBLISH_SECONDS for a rotated-in key; at once for a customer\'s first).' })
  activatesAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it stops signing (the next key\'s activation); null until it is rotated out.' })
  retiresAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it leaves the JWKS and is purged (OIDC_KEY_RETIRED_SECONDS after it retires); null until it is rotated out.' })
  expiresAt!: Date | null;

  static from(info: SigningKeyInfo): OidcSigningKeyType {
    return Object.assign(new OidcSigningKeyType(), {
      kid: info.kid,
      alg: info.alg,
      status: OidcSigningKeyStatus[info.status],
      createdAt: info.createdAt,
      activatesAt: info.activatesAt,
      retiresAt: info.retiresAt,
      expiresAt: info.expiresAt,
    });
  }
}

@ObjectType('RotateOidcSigningKeysPayload', { description: 'Result of rotateOidcSigningKeys.' })
export class RotateOidcSigningKeysPayload {
  @Field(() => [OidcSigningKeyType], { description: 'The keys made by this rotation, one per algorithm rotated.' })
  rotated!: OidcSigningKeyType[];

  @Field(() => [OidcSigningKeyType], { description: 'All of the customer\'s keys after the rotation, newest first.' })
  keys!: OidcSigningKeyType[];
}
