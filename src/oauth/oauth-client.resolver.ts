import { Arg, Authorized, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { OPERATOR_ONLY } from '../operators';
import { OAuthClientService } from './oauth-client.service';
import { CreateOAuthClientInput } from './oauth-client.input';
import {
  CreateOAuthClientPayload,
  DisableOAuthClientPayload,
  OAuthClientConnection,
  OAuthClientType,
  RotateOAuthClientSecretPayload,
} from './oauth-client.type';

/** Client management is for platform owners only: the bootstrap ADMIN_TOKEN and platform-wide owner tokens. */
@Authorized(OPERATOR_ONLY)
@Resolver(() => OAuthClientType)
export class OAuthClientResolver {
  constructor(private readonly clients: OAuthClientService) {}

  @Query(() => OAuthClientConnection, { description: 'A customer\'s OAuth clients, oldest first, cursor-paginated (never their secrets).' })
  async oauthClients(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor from a previous page\'s `pageInfo.endCursor`.' }) after: string | null,
  ): Promise<OAuthClientConnection> {
    const page = await this.clients.listClients(customerId, first, after);
    return { nodes: page.items.map(OAuthClientType.from), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Mutation(() => CreateOAuthClientPayload, { description: 'Registers an OAuth client for a customer; its secret is shown once.' })
  async createOAuthClient(@Arg('input', () => CreateOAuthClientInput) input: CreateOAuthClientInput): Promise<CreateOAuthClientPayload> {
    const { client, clientSecret } = await this.clients.createClient(input);
    return { clientId: client.clientId, clientSecret, client: OAuthClientType.from(client) };
  }

  @Mutation(() => RotateOAuthClientSecretPayload, { description: 'Issues a new client secret (shown once); the previous one stops working at once.' })
  async rotateOAuthClientSecret(@Arg('id', () => ID) id: string): Promise<RotateOAuthClientSecretPayload> {
    const { client, clientSecret } = await this.clients.rotateSecret(id);
    return { clientSecret, client: OAuthClientType.from(client) };
  }

  @Mutation(() => DisableOAuthClientPayload, { description: 'Disables a client and revokes its access tokens.' })
  async disableOAuthClient(@Arg('id', () => ID) id: string): Promise<DisableOAuthClientPayload> {
    return { client: OAuthClientType.from(await this.clients.disableClient(id)) };
  }
}
