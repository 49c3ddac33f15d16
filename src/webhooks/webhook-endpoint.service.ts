import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService } from '../audit';
import { Customer } from '../customers/customer.entity';
import { Clock } from '../shared/clock';
import { NotFoundError, ValidationError } from '../shared/errors';
import { isUuid } from '../shared/ids';
import { Logger } from '../shared/logger';
import { OutboundGuard } from '../shared/net/outbound-guard';
import { UrlPolicy } from '../shared/net/url-policy';
import { afterCursor, checkPageSize, Page, toPage } from '../shared/pagination';
import { randomBase62, RandomSource } from '../shared/random';
import { Sealer } from '../shared/sealed-box';
import { canSee, customerWhere, Tenant } from '../shared/tenant';
import { checkEndpointUrl } from './endpoint-url-policy';
import { isWebhookEventType } from './events';
import { findVisibleEndpoint } from './webhook-endpoint.repository';
import { WebhookEndpoint } from './webhook.entity';

export interface WebhookEndpointDeps {
  em: EntityManager;
  clock: Clock;
  random: RandomSource;
  /** Seals signing secrets at rest; the endpoint id is the associated data. */
  sealer: Sealer;
  audit: AuditService;
  policy: UrlPolicy;
  /** Checks every address an endpoint's host reaches, when it is saved and at each connection. */
  outbound: OutboundGuard;
  log: Logger;
  secretGraceSeconds: number;
}

export interface EndpointCommand {
  url?: string;
  events?: string[];
  description?: string | null;
}

const SECRET_PREFIX = 'whsec_';

/** A customer's webhook endpoints: where events go, which ones, and the secrets that sign them. */
export class WebhookEndpointService {
  constructor(private readonly deps: WebhookEndpointDeps) {}

  /** Creates an endpoint; its signing secret is returned here once and kept only sealed. */
  async createEndpoint(customerId: string, command: Required<EndpointCommand>, tenant: Tenant): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const url = await checkEndpointUrl(command.url, this.deps);
    const events = checkEvents(command.events);
    const description = checkDescription(command.description);
    return this.deps.em.transactional(async (em) => {
      const id = isUuid(customerId) ? customerId.toLowerCase() : null;
      const customer = id !== null && canSee(tenant, id) ? await em.findOne(Customer, { id }) : null;
      if (!customer) throw new NotFoundError('customer', customerId);
      const now = this.deps.clock.now();
      const secret = this.newSecret();
      const endpoint = em.create(WebhookEndpoint, { customer, url, events, description, secret: Buffer.alloc(0), createdAt: now, updatedAt: now });
      endpoint.secret = this.deps.sealer.seal(Buffer.from(secret, 'utf8'), endpoint.id);
      await auditEndpoint(this.deps.audit, endpoint, 'webhook_endpoint.created', { url, events });
      return { endpoint, secret };
    });
  }

  /** Changes only what is given. */
  async updateEndpoint(id: string, command: EndpointCommand, tenant: Tenant): Promise<WebhookEndpoint> {
    const changes: Partial<WebhookEndpoint> = {};
    if (command.url !== undefined) changes.url = await checkEndpointUrl(command.url, this.deps);
    if (command.events !== undefined) changes.events = checkEvents(command.events);
    if (command.description !== undefined) changes.description = checkDescription(command.description);
    return this.deps.em.transactional(async (em) => {
      const endpoint = await findVisibleEndpoint(em, id, tenant);
      em.assign(endpoint, { ...changes, updatedAt: this.deps.clock.now() });
      await auditEndpoint(this.deps.audit, endpoint, 'webhook_endpoint.updated', { changed: Object.keys(changes), url: endpoint.url, events: endpoint.events });
      return endpoint;
    });
  }

  /** A new signing secret; the old one keeps signing (alongside) for the grace period. */
  async rotateSecret(id: string, tenant: Tenant): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    return this.deps.em.transactional(async (em) => {
      const endpoint = await findVisibleEndpoint(em, id, tenant);
      const now = this.deps.clock.now();
      const secret = this.newSecret();
      endpoint.previousSecret = endpoint.secret;
      endpoint.previousSecretExpiresAt = new Date(now.getTime() + this.deps.secretGraceSeconds * 1000);
      endpoint.secret = this.deps.sealer.seal(Buffer.from(secret, 'utf8'), endpoint.id);
      endpoint.updatedAt = now;
      await auditEndpoint(this.deps.audit, endpoint, 'webhook_endpoint.secret_rotated', { previousSecretExpiresAt: endpoint.previousSecretExpiresAt.toISOString() });
      return { endpoint, secret };
    });
  }

  /** Disabled endpoints get no new deliveries; their pending ones fail at their next attempt. */
  async setDisabled(id: string, disabled: boolean, tenant: Tenant, reason = 'disabled by an operator'): Promise<WebhookEndpoint> {
    return this.deps.em.transactional(async (em) => {
      const endpoint = await findVisibleEndpoint(em, id, tenant);
      if ((endpoint.disabledAt !== null) === disabled) return endpoint;
      const now = this.deps.clock.now();
      endpoint.disabledAt = disabled ? now : null;
      endpoint.disabledReason = disabled ? reason : null;
      endpoint.updatedAt = now;
      await auditEndpoint(this.deps.audit, endpoint, disabled ? 'webhook_endpoint.disabled' : 'webhook_endpoint.enabled', { reason: disabled ? reason : null });
      return endpoint;
    });
  }

  /** Deletes the endpoint with its deliveries and attempts. */
  async deleteEndpoint(id: string, tenant: Tenant): Promise<string> {
    return this.deps.em.transactional(async (em) => {
      const endpoint = await findVisibleEndpoint(em, id, tenant);
      await auditEndpoint(this.deps.audit, endpoint, 'webhook_endpoint.deleted', { url: endpoint.url });
      await em.nativeDelete(WebhookEndpoint, { id: endpoint.id });
      return endpoint.id;
    });
  }

  /** The endpoint `tenant` may see by this id, or null (unknown, malformed, or another customer's). */
  async findEndpoint(id: string, tenant: Tenant): Promise<WebhookEndpoint | null> {
    try {
      return await findVisibleEndpoint(this.deps.em, id, tenant);
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }

  async listEndpoints(customerId: string | null | undefined, first: number, after: string | null | undefined, tenant: Tenant): Promise<Page<WebhookEndpoint>> {
    checkPageSize(first);
    if (customerId != null && !isUuid(customerId)) return toPage([], first);
    const where: Record<string, unknown> = { ...afterCursor(after, 'createdAt', 'asc'), ...customerWhere(tenant) };
    if (customerId != null) {
      if (tenant.kind === 'customer' && tenant.customerId !== customerId.toLowerCase()) return toPage([], first);
      where.customer = customerId.toLowerCase();
    }
    return toPage(await this.deps.em.find(WebhookEndpoint, where, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: first + 1 }), first);
  }

  private newSecret(): string {
    return SECRET_PREFIX + randomBase62(this.deps.random, 40);
  }
}

/** Records a change to an endpoint in the audit trail, in the current unit of work. */
export function auditEndpoint(audit: AuditService, endpoint: WebhookEndpoint, action: string, details: Record<string, unknown>): Promise<void> {
  return audit.record({ customerId: endpoint.customer.id, action, target: { type: 'webhook_endpoint', id: endpoint.id }, details });
}

function checkEvents(events: readonly string[]): string[] {
  const unique = [...new Set(events)];
  if (unique.length === 0) throw new ValidationError('events', 'subscribe to at least one event type');
  const unknown = unique.filter((e) => !isWebhookEventType(e));
  if (unknown.length > 0) throw new ValidationError('events', `unknown event types: ${unknown.join(', ')}`);
  return unique.sort();
}

function checkDescription(description: string | null): string | null {
  if (description === null) return null;
  const trimmed = description.trim();
  if (trimmed.length > 500) throw new ValidationError('description', 'description is longer than 500 characters');
  return trimmed.length === 0 ? null : trimmed;
}
