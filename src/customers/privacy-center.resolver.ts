import { Arg, Authorized, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../graphql/context';
import { CustomerType, UpdatePrivacyCenterPayload } from './customer.type';
import { PrivacyCenterSettingsService } from './privacy-center.service';
import { PrivacyCenterInput } from './privacy-center.type';

@Resolver(() => CustomerType)
export class PrivacyCenterResolver {
  constructor(
    private readonly settings: PrivacyCenterSettingsService,
    private readonly publicUrl: string,
  ) {}

  @Authorized('customers:write')
  @Mutation(() => UpdatePrivacyCenterPayload, {
    description:
      'Changes a customer\'s privacy center settings; omitted fields stay. Every field is checked first: an invalid one is BAD_USER_INPUT naming it (`extensions.field`) and changes nothing. Audited as `customer.updated`. Needs `customers:write`.',
  })
  async updatePrivacyCenter(
    @Ctx() { principal }: GraphqlContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('input', () => PrivacyCenterInput) input: PrivacyCenterInput,
  ): Promise<UpdatePrivacyCenterPayload> {
    const { customer } = await this.settings.update(customerId, input, tenantOf(principal));
    return { customer: CustomerType.from(customer, this.publicUrl) };
  }
}
