import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphqlContext, tenantOf } from '../graphql/context';
import { BatchLoader } from '../graphql/batch-loader';
import { RequiresScopes } from '../graphql/auth-checker';
import { WebhookService } from './webhook.service';
import {
  CreateWebhookEndpointInput,
  UpdateWebhookEndpointInput,
  WebhookAttemptType,
  WebhookDeliveryConnection,
  WebhookDeliveryFilterInput,
  WebhookDeliveryType,
  WebhookEndpointConnection,
  WebhookEndpointType,
  WebhookEndpointWithSecretType,
} from './webhook.type';

/** Webhook endpoints, deliveries and redelivery; all under `webhooks:write`. */
@Resolver(() => WebhookDeliveryType)
export class WebhookResolver {
  constructor(private readonly webhooks: WebhookService) {}

  @Authorized('webhooks:write')
  @Mutation(() => WebhookEndpointWithSecretType, { description: 'Creates a webhook endpoint and returns its signing secret, once. Needs `webhooks:write`.' })
  async createWebhookEndpoint(
    @Ctx() { principal }: GraphqlContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('input', () => CreateWebhookEndpointInput) input: CreateWebhookEndpointInput,
  ): Promise<WebhookEndpointWithSecretType> {
    const { endpoint, secret } = await this.webhooks.endpoints.createEndpoint(customerId, { url: input.url, events: input.events, description: input.description ?? null }, tenantOf(principal));
    return { endpoint: WebhookEndpointType.from(endpoint), signingSecret: secret };
  }

  @Authorized('webhooks:write')
  @Mutation(() => WebhookEndpointType, { description: 'Changes a webhook endpoint; only the fields given change. Needs `webhooks:write`.' })
  async updateWebhookEndpoint(
    @Ctx() { principal }: GraphqlContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateWebhookEndpointInput) input: UpdateWebhookEndpointInput,
  ): Promise<WebhookEndpointType> {
    const command = {
      ...(input.url != null ? { url: input.url } : {}),
      ...(input.events != null ? { events: input.events } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
    };
    return WebhookEndpointType.from(await this.webhooks.endpoints.updateEndpoint(id, command, tenantOf(principal)));
  }

  @Authorized('webhooks:write')
  @Mutation(() => WebhookEndpointWithSecretType, { description: 'Issues a new signing secret; the old one keeps signing for 24 hours. Needs `webhooks:write`.' })
  async rotateWebhookSecret(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<WebhookEndpointWithSecretType> {
    const { endpoint, secret } = await this.webhooks.endpoints.rotateSecret(id, tenantOf(principal));
    return { endpoint: WebhookEndpointType.from(endpoint), signingSecret: secret };
  }

  @Authorized('webhooks:write')
  @Mutation(() => WebhookEndpointType, { description: 'Disables (or with `disabled: false` re-enables) an endpoint. Needs `webhooks:write`.' })
  async setWebhookEndpointDisabled(
    @Ctx() { principal }: GraphqlContext,
    @Arg('id', () => ID) id: string,
    @Arg('disabled', () => Boolean) disabled: boolean,
  ): Promise<WebhookEndpointType> {
    return WebhookEndpointType.from(await this.webhooks.endpoints.setDisabled(id, disabled, tenantOf(principal)));
  }

  @Authorized('webhooks:write')
  @Mutation(() => ID, { description: 'Deletes an endpoint with its deliveries; answers its id. Needs `webhooks:write`.' })
  async deleteWebhookEndpoint(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<string> {
    return this.webhooks.endpoints.deleteEndpoint(id, tenantOf(principal));
  }

  @Authorized('webhooks:write')
  @Query(() => WebhookEndpointConnection, { description: 'Webhook endpoints, oldest first. Needs `webhooks:write`.' })
  async webhookEndpoints(
    @Ctx() { principal }: GraphqlContext,
    @Arg('customerId', () => ID, { nullable: true }) customerId: string | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor from a previous page.' }) after: string | null,
  ): Promise<WebhookEndpointConnection> {
    const page = await this.webhooks.endpoints.listEndpoints(customerId, first, after, tenantOf(principal));
    return { nodes: page.items.map(WebhookEndpointType.from), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Authorized('webhooks:write')
  @Query(() => WebhookEndpointType, { nullable: true, description: 'One webhook endpoint by id; null when there is none the caller may see. Needs `webhooks:write`.' })
  async webhookEndpoint(@Ctx() { principal }: GraphqlContext, @Arg('id', () => ID) id: string): Promise<WebhookEndpointType | null> {
    const endpoint = await this.webhooks.endpoints.findEndpoint(id, tenantOf(principal));
    return endpoint ? WebhookEndpointType.from(endpoint) : null;
  }

  @Authorized('webhooks:write')
  @Query(() => WebhookDeliveryConnection, { description: 'Webhook deliveries with their attempts, newest first. Needs `webhooks:write`.' })
  async webhookDeliveries(
    @Ctx() { principal }: GraphqlContext,
    @Arg('filter', () => WebhookDeliveryFilterInput, { nullable: true }) filter: WebhookDeliveryFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 20, description: 'Page size, 1-100.' }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor from a previous page.' }) after: string | null,
  ): Promise<WebhookDeliveryConnection> {
    const page = await this.webhooks.deliveries.listDeliveries(filter ?? {}, first, after, tenantOf(principal));
    return { nodes: page.items.map(WebhookDeliveryType.from), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @RequiresScopes('webhooks:write')
  @FieldResolver(() => [WebhookAttemptType], { description: 'Every attempt, oldest first, with status code, latency and error.' })
  async attempts(@Root() delivery: WebhookDeliveryType, @Ctx() { loaders }: GraphqlContext): Promise<WebhookAttemptType[]> {
    const loader = loaders.get('webhookDelivery.attempts', () =>
      new BatchLoader(async (ids: string[]) => {
        const byDelivery = await this.webhooks.deliveries.attemptsOf(ids);
        return ids.map((id) => byDelivery.get(id) ?? []);
      }, (id: string) => id),
    );
    return (await loader.load(delivery.id)).map(WebhookAttemptType.from);
  }

  @Authorized('webhooks:write')
  @Mutation(() => WebhookDeliveryType, { description: 'Sends a delivery\'s event again (same event id and body), as a new delivery. Needs `webhooks:write`.' })
  async redeliverWebhook(@Ctx() { principal }: GraphqlContext, @Arg('deliveryId', () => ID) deliveryId: string): Promise<WebhookDeliveryType> {
    return WebhookDeliveryType.from(await this.webhooks.deliveries.redeliver(deliveryId, tenantOf(principal)));
  }

  @Authorized('webhooks:write')
  @Mutation(() => Int, { description: 'Redelivers every FAILED delivery of an endpoint created since a time; answers how many. Needs `webhooks:write`.' })
  async redeliverFailedWebhooks(
    @Ctx() { principal }: GraphqlContext,
    @Arg('endpointId', () => ID) endpointId: string,
    @Arg('since', () => Date) since: Date,
  ): Promise<number> {
    return this.webhooks.deliveries.redeliverFailed(endpointId, since, tenantOf(principal));
  }

  @Authorized('webhooks:write')
  @Mutation(() => WebhookDeliveryType, { description: 'Sends a `webhook.test` event to an endpoint. Needs `webhooks:write`.' })
  async sendTestWebhook(@Ctx() { principal }: GraphqlContext, @Arg('endpointId', () => ID) endpointId: string): Promise<WebhookDeliveryType> {
    return WebhookDeliveryType.from(await this.webhooks.deliveries.sendTest(endpointId, tenantOf(principal)));
  }
}
