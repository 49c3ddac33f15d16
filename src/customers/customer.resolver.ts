import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../graphql/context';
import { OPERATOR_ONLY } from '../operators';
import { ValidationError } from '../shared/errors';
import { encodeCursor } from '../shared/pagination';
import { RegionFanOut } from '../graphql/region-fan-out';
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
    private readonly regions: RegionFanOut<{ customers: CustomerService }>,
  ) {}

  @Authorized('customers:read')
  @Query(() => CustomerType, { nullable: true, description: 'One customer, by id or by slug (give exactly one). Needs `customers:read`; a client sees only its own customer.' })
  async customer(
    @Ctx() { principal }: GraphqlContext,
    @Arg('id', () => ID, { nullable: true }) id?: string | null,
    @Arg('slug', () => String, { nullable: true }) slug?: string | null,
  ): Promise<CustomerType | null> {
    if ((id == null) === (slug == null)) throw new ValidationError(id == null ? 'id' : 'slug', 'give exactly one of id and slug');
    const tenant = tenantOf(principal);
    const found = id != null
      ? await this.customerService.findById(id, tenant).catch(notFoundAsNull)
      : await this.customerService.findVisibleBySlug(slug!, tenant);
    return found ? CustomerType.from(found, this.publicUrl) : null;
  }

  @Authorized('customers:read')
  @Query(() => CustomerConnection, { description: 'Customers, oldest first, cursor-paginated. Needs `customers:read`; a client sees only its own customer.' })
  async customers(@Ctx() { principal }: GraphqlContext, @Args(() => CustomersArgs) { first, after }: CustomersArgs): Promise<CustomerConnection> {
    const tenant = tenantOf(principal);
    if (tenant.kind !== 'platform') {
      const page = await this.customerService.listCustomers(first, after, tenant);
      return { nodes: page.items.map((c) => CustomerType.from(c, this.publicUrl)), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
    }
    // The platform's list is every region's (issue 18): each region's next page, merged in one order.
    const pages = await this.regions.each('list customers of every region', ({ customers }) => customers.listCustomers(first, after, tenant));
    const merged = pages
      .flatMap(({ value }) => value.items)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const nodes = merged.slice(0, first);
    const last = nodes[nodes.length - 1];
    return {
      nodes: nodes.map((c) => CustomerType.from(c, this.publicUrl)),
      pageInfo: { hasNextPage: merged.length > first || pages.some(({ value }) => value.hasNextPage), endCursor: last ? encodeCursor(last) : null },
    };
  }

  @Authorized(OPERATOR_ONLY)
  @Mutation(() => CreateCustomerPayload, { description: 'Creates a customer and its first API key (shown once). Platform owners only (ADMIN_TOKEN or a platform-wide owner token).' })
  async createCustomer(@Arg('input', () => CreateCustomerInput) input: CreateCustomerInput): Promise<CreateCustomerPayload> {
    const { customer, apiKey } = await this.customerService.createCustomer(input);
    return { apiKey, customer: CustomerType.from(customer, this.publicUrl) };
  }

  @Authorized('customers:write')
  @Mutation(() => UpdateCustomerPayload, { description: 'Changes a customer\'s configuration; omitted fields stay. Needs `customers:write`.' })
  async updateCustomer(
    @Ctx() { principal }: GraphqlContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateCustomerInput) input: UpdateCustomerInput,
  ): Promise<UpdateCustomerPayload> {
    const customer = await this.customerService.updateCustomer(id, input, tenantOf(principal));
    return { customer: CustomerType.from(customer, this.publicUrl) };
  }

  @Authorized('customers:write')
  @Mutation(() => RotateCustomerApiKeyPayload, {
    description: 'Issues a new API key (shown once); the previous key keeps working for the configured grace period. Needs `customers:write`.',
  })
  async rotateCustomerApiKey(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<RotateCustomerApiKeyPayload> {
    const { customer, apiKey, previousKeysExpireAt } = await this.customerService.rotateCustomerApiKey(id, tenantOf(principal));
    return { apiKey, customer: CustomerType.from(customer, this.publicUrl), previousKeysExpireAt };
  }
}

function notFoundAsNull(err: unknown): null {
  if (err instanceof CustomerNotFoundError) return null;
  throw err;
}
