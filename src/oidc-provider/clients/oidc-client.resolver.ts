import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../../graphql/context';
import { OidcClientService, OidcClientWithSecret } from './oidc-client.service';
import { CreateOidcClientInput, UpdateOidcClientInput } from './oidc-client.input';
import {
  CreateOidcClientPayload,
  DeleteOidcClientPayload,
  OidcClientConnection,
  OidcClientType,
  RotateOidcClientSecretPayload,
  UpdateOidcClientPayload,
} from './oidc-client.type';

/** Who may: as for the customer's own configuration (customers:read to look, customers:write to change). */
const WHO_READS = 'Needs `customers:read` (every role; a customer-bound operator token or client sees only its own customer\'s clients).';
const WHO_WRITES = 'Needs `customers:write` (platform operators, owner and admin operator tokens; a customer-bound token acts on its own customer only).';

/** OpenID Connect relying parties, configured like the rest of a customer. */
@Resolver(() => OidcClientType)
export class OidcClientResolver {
  constructor(private readonly clients: OidcClientService) {}

  @Authorized('customers:read')
  @Query(() => OidcClientConnection, { description: `A customer's OpenID Connect clients, oldest first, cursor-paginated (never their secrets). ${WHO_READS}` })
  async oidcClients(
    @Ctx() { principal }: GraphqlContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor from a previous page\'s `pageInfo.endCursor`.' }) after: string | null,
  ): Promise<OidcClientConnection> {
    const page = await this.clients.listClients(customerId, first, after, tenantOf(principal));
    return { nodes: page.items.map(OidcClientType.from), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Authorized('customers:read')
  @Query(() => OidcClientType, { nullable: true, description: `One OpenID Connect client by its id; null when there is none the caller may see. ${WHO_READS}` })
  async oidcClient(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<OidcClientType | null> {
    const client = await this.clients.findVisible(id, tenantOf(principal));
    return client ? OidcClientType.from(client) : null;
  }

  @Authorized('customers:write')
  @Mutation(() => CreateOidcClientPayload, { description: `Registers an OpenID Connect relying party; its secret (secret methods only) is shown once. ${WHO_WRITES}` })
  async createOidcClient(@Ctx() { principal }: GraphqlContext, @Arg('input', () => CreateOidcClientInput) input: CreateOidcClientInput): Promise<CreateOidcClientPayload> {
    return payload(await this.clients.createClient(input, tenantOf(principal)));
  }

  @Authorized('customers:write')
  @Mutation(() => UpdateOidcClientPayload, { description: `Changes a relying party; omitted fields stay. A secret issued by a change of method is shown once. ${WHO_WRITES}` })
  async updateOidcClient(
    @Ctx() { principal }: GraphqlContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateOidcClientInput) input: UpdateOidcClientInput,
  ): Promise<UpdateOidcClientPayload> {
    return payload(await this.clients.updateClient(id, input, tenantOf(principal)));
  }

  @Authorized('customers:write')
  @Mutation(() => RotateOidcClientSecretPayload, {
    description: `Issues a new client secret (shown once); the previous one stops working at once. Refused (CLIENT_SECRET_NOT_USED) for NONE and PRIVATE_KEY_JWT clients. ${WHO_WRITES}`,
  })
  async rotateOidcClientSecret(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<RotateOidcClientSecretPayload> {
    return payload(await this.clients.rotateSecret(id, tenantOf(principal)));
  }

  @Authorized('customers:write')
  @Mutation(() => DeleteOidcClientPayload, { description: `Deletes a relying party with its codes and tokens. ${WHO_WRITES}` })
  async deleteOidcClient(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<DeleteOidcClientPayload> {
    return { id: await this.clients.deleteClient(id, tenantOf(principal)) };
  }
}

function payload({ client, clientSecret }: OidcClientWithSecret): CreateOidcClientPayload {
  return { clientId: client.clientId, clientSecret, client: OidcClientType.from(client) };
}
