import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService } from '../audit';
import { Database, platformScope } from '../db/scope';
import { isSealed, KeyRing, openText, PersonKey, usernameAad } from '../keys';
import { Clock } from '../shared/clock';
import { Logger } from '../shared/logger';
import { OutboundGuard } from '../shared/net/outbound-guard';
import { Sealer } from '../shared/sealed-box';
import { disclosureOf, personKey, type RestrictionLookup } from '../profiles';
import { openBody, sealBody } from './delivery-body';
import { FailureClass } from './delivery-failure';
import { eventData, OutboxEvent, webhookTypeOf } from './events';
import { lockUndispatchedOutboxEvents, markOutboxEventsDispatched, OutboxEventRow } from './outbox-event.repository';
import { sendWebhook, SendResult } from './sender';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature';
import { claimDueDeliveries } from './webhook-delivery.repository';
import { auditEndpoint } from './webhook-endpoint.service';
import { enabledEndpointsOf } from './webhook-endpoint.repository';
import { DeliveryStatus, WebhookAttempt, WebhookDelivery } from './webhook.entity';

export interface WebhookDispatchDeps {
  em: EntityManager;
  db: Database;
  clock: Clock;
  sealer: Sealer;
  audit: AuditService;
  outbound: OutboundGuard;
  log: Logger;
  timeoutMs: number;
  /** Delay before each retry, in ms; after the last, the delivery is FAILED. */
  retrySchedule: readonly number[];
  /** Which people are restricted: their events go out without who, where or which fields (profiles/disclosure.ts). */
  restrictions: RestrictionLookup;
  /** Person keys: an outbox payload's username and a stored delivery body are sealed under them (issue 17). */
  keys: KeyRing;
}

/**
 * The worker's side of webhooks (issue #7): turns outbox events into deliveries, claims the due
 * ones, and delivers each, signed, at least once, on a retry schedule.
 */
export class WebhookDispatcher {
  constructor(private readonly deps: WebhookDispatchDeps) {}

  /**
   * Turns up to `batchSize` new outbox events into deliveries, one per subscribed, enabled endpoint
   * of the event's customer, in the current unit of work (the platform path).
   */
  async dispatch(batchSize: number): Promise<number> {
    const em = this.deps.em;
    const rows = await lockUndispatchedOutboxEvents(em, batchSize);
    if (rows.length === 0) return 0;
    const now = this.deps.clock.now();
    const wanted = rows.filter((r) => r.customer_id !== null && webhookTypeOf(r.action) !== null);
    const endpoints = await enabledEndpointsOf(em, [...new Set(wanted.map((r) => r.customer_id!))]);
    const subjects = await this.openSubjects(wanted);
    const people = wanted.filter((r) => subjects.get(r.id)?.username).map((r) => ({ customerId: r.customer_id!, username: subjects.get(r.id)!.username! }));
    const restricted = await this.deps.restrictions.restrictedAmong(people);
    for (const row of wanted) {
      const type = webhookTypeOf(row.action)!;
      const targets = endpoints.filter((e) => e.customer.id === row.customer_id && e.events.includes(type));
      if (targets.length === 0) continue;
      const subject = subjects.get(row.id) ?? { username: null, person: null };
      const event: OutboxEvent = {
        id: row.id,
        customerId: row.customer_id!,
        action: row.action,
        occurredAt: new Date(row.occurred_at),
        targetType: row.target_type,
        targetId: row.target_id,
        fields: row.fields,
        details: row.details,
        subject: subject.username,
      };
      const shown = disclosureOf({ isRestricted: subject.username !== null && restricted.has(personKey({ customerId: row.customer_id!, username: subject.username })) }, 'read');
      const eventId = randomUUID();
      const body = JSON.stringify({ id: eventId, type, createdAt: event.occurredAt.toISOString(), customerId: event.customerId, data: eventData(event, shown) });
      for (const endpoint of targets) {
        const id = randomUUID();
        em.create(WebhookDelivery, {
          id,
          customer: endpoint.customer,
          endpoint,
          eventId,
          eventType: type,
          body: sealBody(subject.person, id, body),
          subjectHash: row.subject_hash,
          createdAt: now,
          nextAttemptAt: now,
          status: DeliveryStatus.PENDING,
          attempts: 0,
        });
      }
    }
    await em.flush();
    // The audit drain may not have read the payload yet; whichever of the two comes last drops it.
    await markOutboxEventsDispatched(
      em,
      rows.map((r) => r.id),
      now,
    );
    return rows.length;
  }

  /**
   * Claims up to `limit` deliveries that are due (or whose worker died mid-attempt) for one attempt
   * each and returns them; the claim lasts twice the timeout, so a live attempt is never doubled.
   */
  async claimDue(limit: number): Promise<Array<{ id: string; attempt: number }>> {
    const now = this.deps.clock.now();
    const rows = await claimDueDeliveries(this.deps.em, now, new Date(now.getTime() + this.deps.timeoutMs * 2 + 1000), limit);
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
      const body = await openBody(this.deps.keys, { id: delivery.id, customerId: delivery.customer.id, subjectHash: delivery.subjectHash, body: delivery.body });
      if (body === null) {
        // Its person was erased (their key is gone): nothing about them leaves any more.
        Object.assign(delivery, { status: DeliveryStatus.FAILED, completedAt: now, nextAttemptAt: null, claimedUntil: null, lastError: 'subject_erased' });
        return null;
      }
      return { url: endpoint.url, endpointId: endpoint.id, customerId: delivery.customer.id, disabled: endpoint.disabledAt !== null, eventId: delivery.eventId, body, secrets, now };
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

  /**
   * The username each event is about, opened (the outbox holds it sealed under the person's key,
   * `person.username:<key id>`, or in clear when written before encryption), with the key the
   * delivery bodies are sealed under. A person whose key is gone (erased) is nobody: no username.
   */
  private async openSubjects(rows: readonly OutboxEventRow[]): Promise<Map<string, { username: string | null; person: PersonKey | null }>> {
    // The people of the batch: their keys by subject hash, one statement per customer (as the audit drain finds them).
    const bySubject = new Map<string, Set<string>>();
    for (const row of rows) {
      if (row.subject_hash !== null && row.customer_id !== null) bySubject.set(row.customer_id, (bySubject.get(row.customer_id) ?? new Set()).add(row.subject_hash));
    }
    const keys = new Map<string, PersonKey>();
    for (const [customerId, subjects] of bySubject) {
      for (const [subject, key] of await this.deps.keys.peopleBySubject(customerId, subjects)) keys.set(`${customerId}\n${subject}`, key);
    }
    const opened = new Map<string, { username: string | null; person: PersonKey | null }>();
    for (const row of rows) {
      if (row.subject_hash === null || row.customer_id === null) {
        opened.set(row.id, { username: row.subject !== null && !isSealed(row.subject) ? row.subject : null, person: null });
        continue;
      }
      let person = keys.get(`${row.customer_id}\n${row.subject_hash}`) ?? null;
      let username: string | null = row.subject;
      if (username !== null && isSealed(username)) {
        try {
          username = person ? openText(person.key, usernameAad(person.id), username) : null;
        } catch {
          username = null; // sealed under a key that is gone
        }
      }
      // A clear username (written before encryption) of a person with no key yet: their key is made, so the body is sealed all the same.
      if (username !== null && person === null) {
        person = await this.deps.keys.person(row.customer_id, username, row.subject_hash);
        keys.set(`${row.customer_id}\n${row.subject_hash}`, person);
      }
      opened.set(row.id, { username, person: username === null ? null : person });
    }
    return opened;
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
      await auditEndpoint(this.deps.audit, delivery.endpoint, 'webhook_endpoint.disabled', { reason: 'the endpoint answered 410 Gone' });
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
}
