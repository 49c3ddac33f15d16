import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import type { KeyRing } from '../keys';
import { Clock } from '../shared/clock';
import { NotFoundError } from '../shared/errors';
import { isUuid } from '../shared/ids';
import { afterCursor, checkPageSize, Page, toPage } from '../shared/pagination';
import { customerWhere, Tenant } from '../shared/tenant';
import { resealBody } from './delivery-body';
import { findVisibleEndpoint } from './webhook-endpoint.repository';
import { DeliveryStatus, WebhookAttempt, WebhookDelivery } from './webhook.entity';

export interface DeliveryFilter {
  endpointId?: string | null;
  status?: DeliveryStatus | null;
  eventType?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** The type of the event `sendTestWebhook` sends; no endpoint subscribes to it, every endpoint accepts it. */
export const TEST_EVENT_TYPE = 'webhook.test';

/** Deliveries as operators see them: inspection, redelivery and test events. */
export class WebhookDeliveryService {
  constructor(private readonly deps: { em: EntityManager; clock: Clock; keys: KeyRing }) {}

  /** Deliveries `tenant` may see, newest first. */
  async listDeliveries(filter: DeliveryFilter, first: number, after: string | null | undefined, tenant: Tenant): Promise<Page<WebhookDelivery>> {
    checkPageSize(first);
    const where: Record<string, unknown> = { ...afterCursor(after, 'createdAt', 'desc'), ...customerWhere(tenant) };
    if (filter.endpointId) {
      if (!isUuid(filter.endpointId)) return toPage([], first);
      where.endpoint = filter.endpointId.toLowerCase();
    }
    if (filter.status) where.status = filter.status;
    if (filter.eventType) where.eventType = filter.eventType;
    if (filter.from || filter.to) where.createdAt = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
    const rows = await this.deps.em.find(WebhookDelivery, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: first + 1 });
    return toPage(rows, first);
  }

  /** Every attempt of these deliveries, oldest first, in one query. */
  async attemptsOf(deliveryIds: readonly string[]): Promise<Map<string, WebhookAttempt[]>> {
    const byDelivery = new Map<string, WebhookAttempt[]>(deliveryIds.map((id) => [id, []]));
    if (deliveryIds.length === 0) return byDelivery;
    const rows = await this.deps.em.find(WebhookAttempt, { delivery: { $in: [...deliveryIds] } }, { orderBy: { attemptedAt: 'asc', id: 'asc' } });
    for (const row of rows) byDelivery.get(row.delivery.id)?.push(row);
    return byDelivery;
  }

  /** Sends the same event (same id, same body) to the same endpoint again, as a new delivery. */
  async redeliver(deliveryId: string, tenant: Tenant): Promise<WebhookDelivery> {
    return this.deps.em.transactional(async (em) => {
      const original = isUuid(deliveryId) ? await em.findOne(WebhookDelivery, { id: deliveryId.toLowerCase(), ...customerWhere(tenant) }) : null;
      if (!original) throw new NotFoundError('webhook delivery', deliveryId);
      const copy = await this.copyDelivery(em, original);
      // Its person was erased: the event cannot be told again.
      if (!copy) throw new NotFoundError('webhook delivery', deliveryId);
      return copy;
    });
  }

  /** Redelivers every FAILED delivery of the endpoint created since `since`; answers how many. */
  async redeliverFailed(endpointId: string, since: Date, tenant: Tenant): Promise<number> {
    return this.deps.em.transactional(async (em) => {
      const endpoint = await findVisibleEndpoint(em, endpointId, tenant);
      const failed = await em.find(WebhookDelivery, { endpoint, status: DeliveryStatus.FAILED, createdAt: { $gte: since } }, { orderBy: { createdAt: 'asc' } });
      let copied = 0;
      for (const delivery of failed) if (await this.copyDelivery(em, delivery)) copied++;
      return copied;
    });
  }

  /** Queues a `webhook.test` event to the endpoint, whatever it subscribes to. */
  async sendTest(endpointId: string, tenant: Tenant): Promise<WebhookDelivery> {
    return this.deps.em.transactional(async (em) => {
      const endpoint = await findVisibleEndpoint(em, endpointId, tenant);
      const now = this.deps.clock.now();
      const eventId = randomUUID();
      const body = JSON.stringify({ id: eventId, type: TEST_EVENT_TYPE, createdAt: now.toISOString(), customerId: endpoint.customer.id, data: { endpointId: endpoint.id } });
      return em.create(WebhookDelivery, { customer: endpoint.customer, endpoint, eventId, eventType: TEST_EVENT_TYPE, body, createdAt: now, nextAttemptAt: now, status: DeliveryStatus.PENDING, attempts: 0 });
    });
  }

  /** A new delivery of the same body (sealed again for the new row); null when the body no longer opens (its person was erased). */
  private async copyDelivery(em: EntityManager, original: WebhookDelivery): Promise<WebhookDelivery | null> {
    const now = this.deps.clock.now();
    const id = randomUUID();
    const body = await resealBody(this.deps.keys, { id: original.id, customerId: original.customer.id, subjectHash: original.subjectHash, body: original.body }, id);
    if (body === null) return null;
    return em.create(WebhookDelivery, {
      id,
      customer: original.customer,
      endpoint: original.endpoint,
      eventId: original.eventId,
      eventType: original.eventType,
      body,
      subjectHash: original.subjectHash,
      createdAt: now,
      nextAttemptAt: now,
      status: DeliveryStatus.PENDING,
      attempts: 0,
    });
  }
}
