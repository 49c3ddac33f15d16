import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../graphql/context';
import { OPERATOR_ONLY } from '../operators';
import { ErasureService } from './erasure.service';
import { DeletionRequestType, RequestCustomerDataDeletionPayload, RequestProfileDeletionPayload } from './deletion-request.type';

@Resolver(() => DeletionRequestType)
export class ErasureResolver {
  constructor(private readonly erasure: ErasureService) {}

  @Authorized('profiles:delete')
  @Mutation(() => RequestProfileDeletionPayload, {
    description:
      'Erases a person: their profile, previous values, consent decisions, sign-ins, tokens and codes, on the erasure worker. A person with an open request gets that one back. Needs `profiles:delete`.',
  })
  async requestProfileDeletion(@Ctx() { principal }: GraphqlContext, @Arg('profileId', () => ID) profileId: string): Promise<RequestProfileDeletionPayload> {
    return { deletionRequest: DeletionRequestType.from(await this.erasure.requestProfileDeletion(profileId, tenantOf(principal))) };
  }

  @Authorized(OPERATOR_ONLY)
  @Mutation(() => RequestCustomerDataDeletionPayload, {
    description: 'Customer offboarding: erases every person of the customer and its OAuth clients, API keys and operator tokens. Platform operator only.',
  })
  async requestCustomerDataDeletion(@Ctx() { principal }: GraphqlContext, @Arg('customerId', () => ID) customerId: string): Promise<RequestCustomerDataDeletionPayload> {
    return { deletionRequest: DeletionRequestType.from(await this.erasure.requestCustomerDataDeletion(customerId, tenantOf(principal))) };
  }

  @Authorized('profiles:delete')
  @Query(() => DeletionRequestType, { nullable: true, description: 'A deletion request\'s progress, or its receipt once completed. Needs `profiles:delete`.' })
  async deletionRequest(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<DeletionRequestType | null> {
    const found = await this.erasure.get(id, tenantOf(principal));
    return found ? DeletionRequestType.from(found) : null;
  }
}
