import { EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError } from '../shared/errors';
import { isUuid } from '../shared/ids';
import { customerWhere, Tenant } from '../shared/tenant';
import { WebhookEndpoint } from './webhook.entity';

/** The endpoint `tenant` may see by this id; NotFoundError when there is none. */
export async function findVisibleEndpoint(em: EntityManager, id: string, tenant: Tenant): Promise<WebhookEndpoint> {
  const endpoint = isUuid(id) ? await em.findOne(WebhookEndpoint, { id: id.toLowerCase(), ...customerWhere(tenant) }) : null;
  if (!endpoint) throw new NotFoundError('webhook endpoint', id);
  return endpoint;
}

/** The enabled endpoints of these customers, oldest first. */
export function enabledEndpointsOf(em: EntityManager, customerIds: readonly string[]): Promise<WebhookEndpoint[]> {
  if (customerIds.length === 0) return Promise.resolve([]);
  return em.find(WebhookEndpoint, { customer: { $in: [...customerIds] }, disabledAt: null }, { orderBy: { createdAt: 'asc' } });
}
