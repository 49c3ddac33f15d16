import { Arg, Args, ArgsType, Field, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { ValidationError } from '../shared/errors';
import { CustomerService } from './customer.service';
import { CreateCustomerInput, UpdateCustomerInput } from './customer.input';
import {
  CreateCustomerPayload,
  CustomerConnection,
  CustomerType,
  RotateCustomerApiKeyPayload,
  UpdateCustomerPayload,
} from './customer.type';
import { CustomerNotFoundError } from './customer.errors';

@ArgsType()
class CustomersArgs {
  @Field(() => Int, { defaultValue: 20, description: 'Page size, 1-100.' })
  first!: number;

  @Field(() => String, { nullable: true, description: 'Cursor from a previous page\'s `pageInfo.endCursor`.' })
  after?: string | null;
}

@Resolver(() => CustomerType)
export class CustomerResolver {
  constructor(
    private readonly customerService: CustomerService,
    private readonly publicUrl: string,
  ) {}

  @Query(() => CustomerType, { nullable: true, description: 'One customer, by id or by slug (give exactly one).' })
  async customer(
    @Arg('id', () => ID, { nullable: true }) id?: string | null,
    @Arg('slug', () => String, { nullable: true }) slug?: string | null,
  ): Promise<CustomerType | null> {
    if ((id == null) === (slug == null)) throw new ValidationError(id == null ? 'id' : 'slug', 'give exactly one of id and slug');
    const found = id != null ? await this.customerService.findById(id).catch(notFoundAsNull) : await this.customerService.findBySlug(slug!);
    return found ? CustomerType.from(found, this.publicUrl) : null;
  }

  @Query(() => CustomerConnection, { description: 'All customers, oldest first, cursor-paginated.' })
  async customers(@Args(() => CustomersArgs) { first, after }: CustomersArgs): Promise<CustomerConnection> {
    const page = await this.customerService.listCustomers(first, after);
    return {
      nodes: page.items.map((c) => CustomerType.from(c, this.publicUrl)),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    };
  }

  @Mutation(() => CreateCustomerPayload, { description: 'Creates a customer and its first API key (shown once).' })
  async createCustomer(@Arg('input', () => CreateCustomerInput) input: CreateCustomerInput): Promise<CreateCustomerPayload> {
    const { customer, apiKey } = await this.customerService.createCustomer(input);
    return { apiKey, customer: CustomerType.from(customer, this.publicUrl) };
  }

  @Mutation(() => UpdateCustomerPayload, { description: 'Changes a customer\'s configuration; omitted fields stay.' })
  async updateCustomer(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateCustomerInput) input: UpdateCustomerInput,
  ): Promise<UpdateCustomerPayload> {
    const customer = await this.customerService.updateCustomer(id, input);
    return { customer: CustomerType.from(customer, this.publicUrl) };
  }

  @Mutation(() => RotateCustomerApiKeyPayload, {
    description: 'Issues a new API key (shown once); the previous key keeps working for the configured grace period.',
  })
  async rotateCustomerApiKey(@Arg('id', () => ID) id: string): Promise<RotateCustomerApiKeyPayload> {
    const { customer, apiKey } = await this.customerService.rotateCustomerApiKey(id);
    return { apiKey, customer: CustomerType.from(customer, this.publicUrl) };
  }
}

function notFoundAsNull(err: unknown): null {
  if (err instanceof CustomerNotFoundError) return null;
  throw err;
}
