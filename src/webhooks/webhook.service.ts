import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService } from '../audit';
import { Customer } from '../customers/customer.entity';
import { Database, platformScope } from '../db/scope';
import { Clock } from '../shared/clock';
import { NotFoundError, ValidationError } from '../shared/errors';
import { isUuid } from '../shared/ids';
import { afterCursor, checkPageSize, Page, toPage } from '../shared/pagination';
import { randomBase62, RandomSource } from '../shared/random';
import { Logger } from '../shared/logger';
import { AddressRefusedError, OutboundGuard } from '../shared/net/outbound-guard';
import { Sealer } from '../shared/sealed-box';
import { canSee, customerWhere, Tenant } from '../shared/tenant';
import { disclosureOf, personKey, type RestrictionLookup } from '../profiles';
import { eventData, isWebhookEventType, OutboxEvent, webhookTypeOf } from './events';
import { FailureClass } from './delivery-failure';
import { sendWebhook, SendResult } from './sender';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature';
import { checkOutboundUrl, UrlPolicy, OutboundUrlError } from '../shared/net/url-policy';
import { DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint } from './webhook.entity';

export interface WebhookServiceDeps {
  em: EntityManager;
  db: Database;
  clock: Clock;
  random: RandomSource;
  /** Seals signing secrets at rest; the endpoint id is the associated data. */
  sealer: Sealer;
  audit: AuditService;
  policy: UrlPolicy;
  /** Checks every address an endpoint's host reaches, when it is saved and at each connection. */
  outbound: OutboundGuard;
  log: Logger;
  timeoutMs: number;
  /** Delay before each retry, in ms; after the last, the delivery is FAILED. */
  retrySchedule: readonly number[];
  secretGraceSeconds: number;
  /** Which people are restricted: their events go out without who, where or which fields (profiles/disclosure.ts). */
  restrictions: RestrictionLookup;
}

export interface EndpointCommand {
  url?: string;
  events?: string[];
  description?: string | null;
}

export interface DeliveryFilter {
  endpointId?: string | null;
  status?: DeliveryStatus | null;
  eventType?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** The type of the event `sendTestWebhook` sends; no endpoint subscribes to it, every endpoint accepts it. */
export const TEST_EVENT_TYPE = 'webhook.test';

const SECRET_PREFIX = 'whsec_';

/**
 * Event postbacks to customers (issue #7): endpoints and their secrets, turning outbox events into
 * deliveries, and delivering them, signed, at least once, on a retry schedule.
 */
export class WebhookService {
  constructor(private readonly deps: WebhookServiceDeps) {}

  // ---- endpoints ----

  /** Creates an endpoint; its signing secret is returned here once and kept only sealed. */
  async createEndpoint(customerId: string, command: Required<EndpointCommand>, tenant: Tenant): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const url = await this.checkUrl(command.url);
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
      await this.auditEndpoint(em, endpoint, 'webhook_endpoint.created', { url, events });
      return { endpoint, secret };
    });
  }

  /** Changes only what is given. */
  async updateEndpoint(id: string, command: EndpointCommand, tenant: Tenant): Promise<WebhookEndpoint> {
    const changes: Partial<WebhookEndpoint> = {};
    if (command.url !== undefined) changes.url = await this.checkUrl(command.url);
    if (command.events !== undefined) changes.events = checkEvents(command.events);
    if (command.description !== undefined) changes.description = checkDescription(command.description);
    return this.deps.em.transactional(async (em) => {
      const endpoint = await this.findEndpoint(em, id, tenant);
      em.assign(endpoint, { ...changes, updatedAt: this.deps.clock.now() });
      await this.auditEndpoint(em, endpoint, 'webhook_endpoint.updated', { changed: Object.keys(changes), url: endpoint.url, events: endpoint.events });
      return endpoint;
    });
  }

  /** A new signing secret; the old one keeps signing (alongside) for the grace period. */
  async rotateSecret(id: string, tenant: Tenant): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    return this.deps.em.transactional(async (em) => {
      const endpoint = await this.findEndpoint(em, id, tenant);
      const now = this.deps.clock.now();
      const secret = this.newSecret();
      endpoint.previousSecret = endpoint.secret;
      endpoint.previousSecretExpiresAt = new Date(now.getTime() + this.deps.secretGraceSeconds * 1000);
      endpoint.secret = this.deps.sealer.seal(Buffer.from(secret, 'utf8'), endpoint.id);
      endpoint.updatedAt = now;
      await this.auditEndpoint(em, endpoint, 'webhook_endpoint.secret_rotated', { previousSecretExpiresAt: endpoint.previousSecretExpiresAt.toISOString() });
      return { endpoint, secret };
    });
  }

  /** Disabled endpoints get no new deliveries; their pending ones fail at their next attempt. */
  async setDisabled(id: string, disabled: boolean, tenant: Tenant, reason = 'disabled by an operator'): Promise<WebhookEndpoint> {
    return this.deps.em.transactional(async (em) => {
      const endpoint = await this.findEndpoint(em, id, tenant);
      if ((endpoint.disabledAt !== null) === disabled) return endpoint;
      const now = this.deps.clock.now();
      endpoint.disabledAt = disabled ? now : null;
      endpoint.disabledReason = disabled ? reason : null;
      endpoint.updatedAt = now;
      await this.auditEndpoint(em, endpoint, disabled ? 'webhook_endpoint.disabled' : 'webhook_endpoint.enabled', { reason: disabled ? reason : null });
      return endpoint;
    });
  }

  /** Deletes the endpoint with its deliveries and attempts. */
  async deleteEndpoint(id: string, tenant: Tenant): Promise<string> {
    return this.deps.em.transactional(async (em) => {
      const endpoint = await this.findEndpoint(em, id, tenant);
      await this.auditEndpoint(em, endpoint, 'webhook_endpoint.deleted', { url: endpoint.url });
      await em.nativeDelete(WebhookEndpoint, { id: endpoint.id });
      return endpoint.id;
    });
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

  // ---- deliveries: inspection and redelivery ----

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
      return this.copyDelivery(em, original);
    });
  }

  /** Redelivers every FAILED delivery of the endpoint created since `since`; answers how many. */
  async redeliverFailed(endpointId: string, since: Date, tenant: Tenant): Promise<number> {
    return this.deps.em.transactional(async (em) => {
      const endpoint = await this.findEndpoint(em, endpointId, tenant);
      const failed = await em.find(WebhookDelivery, { endpoint, status: DeliveryStatus.FAILED, createdAt: { $gte: since } }, { orderBy: { createdAt: 'asc' } });
      for (const delivery of failed) this.copyDelivery(em, delivery);
      return failed.length;
    });
  }

  /** Queues a `webhook.test` event to the endpoint, whatever it subscribes to. */
  async sendTest(endpointId: string, tenant: Tenant): Promise<WebhookDelivery> {
    return this.deps.em.transactional(async (em) => {
      const endpoint = await this.findEndpoint(em, endpointId, tenant);
      const now = this.deps.clock.now();
      const eventId = randomUUID();
      const body = JSON.stringify({ id: eventId, type: TEST_EVENT_TYPE, createdAt: now.toISOString(), customerId: endpoint.customer.id, data: { endpointId: endpoint.id } });
      return em.create(WebhookDelivery, { customer: endpoint.customer, endpoint, eventId, eventType: TEST_EVENT_TYPE, body, createdAt: now, nextAttemptAt: now, status: DeliveryStatus.PENDING, attempts: 0 });
    });
  }

  // ---- the worker's side ----

  /**
   * Turns up to `batchSize` new outbox events into deliveries, one per subscribed, enabled endpoint
   * of the event's customer, in the caller's transaction (the platform path).
   */
  async dispatch(em: EntityManager, batchSize: number): Promise<number> {
    const rows: Array<{
      id: string;
      customer_id: string | null;
      action: string;
      occurred_at: Date;
      target_type: string;
      target_id: string | null;
      fields: string[];
      details: Record<string, unknown> | null;
      subject_hash: string | null;
      subject: string | null;
    }> = await em.execute(
      `select id, customer_id, action, occurred_at, target_type, target_id, fields, details, subject_hash, payload->>'subject' as subject
         from audit_outbox where dispatched_at is null order by id limit ? for update skip locked`,
      [batchSize],
    );
    if (rows.length === 0) return 0;
    const now = this.deps.clock.now();
    const wanted = rows.filter((r) => r.customer_id !== null && webhookTypeOf(r.action) !== null);
    const customers = [...new Set(wanted.map((r) => r.customer_id!))];
    const endpoints = customers.length
      ? await em.find(WebhookEndpoint, { customer: { $in: customers }, disabledAt: null }, { orderBy: { createdAt: 'asc' } })
      : [];
    const people = wanted.filter((r) => r.subject !== null).map((r) => ({ customerId: r.customer_id!, username: r.subject! }));
    const restricted = await this.deps.restrictions.restrictedAmong(people, em);
    for (const row of wanted) {
      const type = webhookTypeOf(row.action)!;
      const targets = endpoints.filter((e) => e.customer.id === row.customer_id && e.events.includes(type));
      if (targets.length === 0) continue;
      const event: OutboxEvent = {
        id: row.id,
        customerId: row.customer_id!,
        action: row.action,
        occurredAt: new Date(row.occurred_at),
        targetType: row.target_type,
        targetId: row.target_id,
        fields: row.fields,
        details: row.details,
        subject: row.subject,
      };
      const shown = disclosureOf({ isRestricted: row.subject !== null && restricted.has(personKey({ customerId: row.customer_id!, username: row.subject })) }, 'read');
      const eventId = randomUUID();
      const body = JSON.stringify({ id: eventId, type, createdAt: event.occurredAt.toISOString(), customerId: event.customerId, data: eventData(event, shown) });
      for (const endpoint of targets) {
        em.create(WebhookDelivery, { customer: endpoint.customer, endpoint, eventId, eventType: type, body, subjectHash: row.subject_hash, createdAt: now, nextAttemptAt: now, status: DeliveryStatus.PENDING, attempts: 0 });
      }
    }
    await em.flush();
    // The audit drain may not have read the payload yet; whichever of the two comes last drops it.
    await em.execute(
      `update audit_outbox set dispatched_at = ?, payload = case when audited_at is not null then null else payload end where id = any(?::bigint[])`,
      [now, `{${rows.map((r) => r.id).join(',')}}`],
      'run',
    );
    return rows.length;
  }

  /**
   * Claims up to `limit` deliveries that are due (or whose worker died mid-attempt) for one attempt
   * each and returns them; the claim lasts twice the timeout, so a live attempt is never doubled.
   */
  async claimDue(em: EntityManager, limit: number): Promise<Array<{ id: string; attempt: number }>> {
    const now = this.deps.clock.now();
    const rows: Array<{ id: string; attempts: number }> = await em.execute(
      `update webhook_delivery set claimed_until = ?
        where id in (select id from webhook_delivery
                      where status = 'PENDING' and next_attempt_at <= ? and (claimed_until is null or claimed_until < ?)
                      order by next_attempt_at limit ? for update skip locked)
        returning id, attempts`,
      [new Date(now.getTime() + this.deps.timeoutMs * 2 + 1000), now, now, limit],
    );
    return rows.map((r) => ({ id: r.id, attempt: r.attempts + 1 }));
  }

  /**
   * Makes attempt number `attempt` of a delivery: reads it (platform path), sends it outside any
   * transaction, then records the attempt and what follows (success, retry later, FAILED, or the
   * endpoint disabled on 410). A stale job (the attempt was already made) does nothing.
   */
  async deliver(deliveryId: string, attempt: number): Promise<'sent' | 'skipped'> {
    const scope = platformScope('webhook delivery', { routine: true });
    const prepared = await this.deps.db.run(scope, async () => {
      const delivery = await this.deps.em.findOne(WebhookDelivery, { id: deliveryId }, { populate: ['endpoint'] });
      if (!delivery || delivery.status !== DeliveryStatus.PENDING || delivery.attempts + 1 !== attempt) return null;
      const endpoint = delivery.endpoint;
      const now = this.deps.clock.now();
      const secrets = [this.deps.sealer.open(endpoint.secret, endpoint.id).toString('utf8')];
      if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
        secrets.push(this.deps.sealer.open(endpoint.previousSecret, endpoint.id).toString('utf8'));
      }
      return { url: endpoint.url, endpointId: endpoint.id, customerId: delivery.customer.id, disabled: endpoint.disabledAt !== null, eventId: delivery.eventId, body: delivery.body, secrets, now };
    });
    if (!prepared) return 'skipped';
    const timestamp = Math.floor(prepared.now.getTime() / 1000);
    const result: SendResult = prepared.disabled
      ? { statusCode: null, latencyMs: 0, failure: 'endpoint_disabled', errorCode: null }
      : await sendWebhook(
          prepared.url,
          { [EVENT_ID_HEADER]: prepared.eventId, [SIGNATURE_HEADER]: signatureHeader(prepared.secrets, timestamp, prepared.body) },
          prepared.body,
          this.deps.timeoutMs,
          this.deps.outbound,
        );
    if (result.failure === 'address_refused') {
      // A saved endpoint whose host now reaches an internal address: DNS rebinding, or a row saved before the check.
      this.deps.log.warn({ deliveryId, endpointId: prepared.endpointId, customerId: prepared.customerId }, 'webhook delivery refused: the endpoint reaches an address webhooks may not reach');
    } else if (result.failure !== null) {
      this.deps.log.debug({ deliveryId, endpointId: prepared.endpointId, failure: result.failure, errorCode: result.errorCode }, 'webhook attempt failed');
    }
    await this.deps.db.run(scope, () => this.recordAttempt(deliveryId, attempt, result, prepared.disabled));
    return 'sent';
  }

  private async recordAttempt(deliveryId: string, attempt: number, result: { statusCode: number | null; latencyMs: number; failure: FailureClass | null }, disabled: boolean): Promise<void> {
    const em = this.deps.em;
    // Locked: a stale job and a re-claimed one may finish the same attempt at once; only one records it.
    const delivery = await em.findOne(WebhookDelivery, { id: deliveryId }, { populate: ['endpoint'], lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!delivery || delivery.status !== DeliveryStatus.PENDING || delivery.attempts + 1 !== attempt) return;
    const now = this.deps.clock.now();
    em.create(WebhookAttempt, { customer: delivery.customer, delivery, attemptedAt: now, statusCode: result.statusCode, latencyMs: result.latencyMs, error: result.failure });
    delivery.attempts = attempt;
    delivery.lastStatusCode = result.statusCode;
    delivery.lastError = result.failure ?? (result.statusCode !== null && (result.statusCode < 200 || result.statusCode > 299) ? `http_${result.statusCode}` : null);
    delivery.claimedUntil = null;
    const succeeded = result.statusCode !== null && result.statusCode >= 200 && result.statusCode <= 299;
    if (succeeded) {
      delivery.status = DeliveryStatus.SUCCEEDED;
      delivery.completedAt = now;
      delivery.nextAttemptAt = null;
      return;
    }
    if (result.statusCode === 410 && delivery.endpoint.disabledAt === null) {
      // 410 Gone: the receiver says it is gone for good.
      delivery.endpoint.disabledAt = now;
      delivery.endpoint.disabledReason = 'the endpoint answered 410 Gone';
      delivery.endpoint.updatedAt = now;
      await this.auditEndpoint(em, delivery.endpoint, 'webhook_endpoint.disabled', { reason: 'the endpoint answered 410 Gone' });
    }
    const retryIn = this.deps.retrySchedule[attempt - 1];
    if (retryIn === undefined || disabled || result.statusCode === 410) {
      delivery.status = DeliveryStatus.FAILED;
      delivery.completedAt = now;
      delivery.nextAttemptAt = null;
      return;
    }
    delivery.nextAttemptAt = new Date(now.getTime() + retryIn);
  }

  // ---- helpers ----

  private copyDelivery(em: EntityManager, original: WebhookDelivery): WebhookDelivery {
    const now = this.deps.clock.now();
    return em.create(WebhookDelivery, {
      customer: original.customer,
      endpoint: original.endpoint,
      eventId: original.eventId,
      eventType: original.eventType,
      body: original.body,
      subjectHash: original.subjectHash,
      createdAt: now,
      nextAttemptAt: now,
      status: DeliveryStatus.PENDING,
      attempts: 0,
    });
  }

  private async findEndpoint(em: EntityManager, id: string, tenant: Tenant): Promise<WebhookEndpoint> {
    const endpoint = isUuid(id) ? await em.findOne(WebhookEndpoint, { id: id.toLowerCase(), ...customerWhere(tenant) }) : null;
    if (!endpoint) throw new NotFoundError('webhook endpoint', id);
    return endpoint;
  }

  private auditEndpoint(em: EntityManager, endpoint: WebhookEndpoint, action: string, details: Record<string, unknown>): Promise<void> {
    return this.deps.audit.record(em, { customerId: endpoint.customer.id, action, target: { type: 'webhook_endpoint', id: endpoint.id }, details });
  }

  private newSecret(): string {
    return SECRET_PREFIX + randomBase62(this.deps.random, 40);
  }

  /** The URL's shape, and every address its host resolves to now (checked again at each delivery). */
  private async checkUrl(raw: string): Promise<string> {
    let url: URL;
    try {
      url = checkOutboundUrl(raw, this.deps.policy);
    } catch (err) {
      if (err instanceof OutboundUrlError) throw new ValidationError('url', err.message);
      throw err;
    }
    try {
      await this.deps.outbound.resolve(url.hostname);
    } catch (err) {
      // One answer whether the name resolves to a refused address or not at all: which names exist
      // in our network, and what they resolve to, is nobody's business (no map of internal DNS).
      if (!(err instanceof AddressRefusedError)) this.deps.log.debug({ code: (err as NodeJS.ErrnoException).code }, 'webhook host did not resolve');
      throw new ValidationError('url', "url's host does not resolve to an address webhooks may reach (a public address)");
    }
    return url.toString();
  }
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
