import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../graphql/context';
import type { IdTokenAlg } from '../oauth/oauth-client.entity';
import { OidcSigningKeys } from './signing-keys.service';
import { IdTokenSigningAlg } from './clients/oidc-client.input';
import { OidcSigningKeyType, RotateOidcSigningKeysPayload } from './signing-key.type';

/** A customer's ID token signing keys are customer configuration: read with `customers:read`, rotated with `customers:write`. */
@Resolver(() => OidcSigningKeyType)
export class OidcSigningKeyResolver {
  constructor(private readonly keys: OidcSigningKeys) {}

  @Authorized('customers:read')
  @Query(() => [OidcSigningKeyType], {
    description: 'A customer\'s OpenID Connect signing keys still published (upcoming, active, retired), newest first. Needs `customers:read`; a client sees only its own customer.',
  })
  async oidcSigningKeys(@Ctx() { principal }: GraphqlContext, @Arg('customerId', () => ID) customerId: string): Promise<OidcSigningKeyType[]> {
    return (await this.keys.list(customerId, tenantOf(principal))).map(OidcSigningKeyType.from);
  }

  @Authorized('customers:write')
  @Mutation(() => RotateOidcSigningKeysPayload, {
    description:
      'Rotates a customer\'s ID token signing key of `alg` (both algorithms when omitted): the new key is published now and signs after OIDC_KEY_PUBLISH_SECONDS; the current one then retires and stays published for OIDC_KEY_RETIRED_SECONDS. Needs `customers:write`.',
  })
  async rotateOidcSigningKeys(
    @Ctx() { principal }: GraphqlContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('alg', () => IdTokenSigningAlg, { nullable: true, description: 'The algorithm whose key to rotate; both when omitted.' }) alg?: IdTokenAlg | null,
  ): Promise<RotateOidcSigningKeysPayload> {
    const tenant = tenantOf(principal);
    const rotated = await this.keys.rotate(customerId, tenant, alg ?? undefined);
    const keys = await this.keys.list(customerId, tenant);
    return { rotated: rotated.map(OidcSigningKeyType.from), keys: keys.map(OidcSigningKeyType.from) };
  }
}
