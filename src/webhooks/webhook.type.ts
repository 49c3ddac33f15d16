import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../graphql/connection';
import { failureClassOf } from './delivery-failure';
import { DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint } from './webhook.entity';

registerEnumType(DeliveryStatus, { name: 'WebhookDeliveryStatus', description: 'Where a webhook delivery stands.' });

@ObjectType('WebhookEndpoint', { description: 'A customer\'s receiver of signed event postbacks.' })
export class WebhookEndpointType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => ID, { description: 'The customer it belongs to.' })
  customerId!: string;

  @Field(() => String, { description: 'Where events are POSTed.' })
  url!: string;

  @Field(() => [String], { description: 'The event types it receives.' })
  events!: string[];

  @Field(() => String, { nullable: true, description: 'What it is for.' })
  description!: string | null;

  @Field(() => Boolean, { description: 'Whether it is disabled (by an operator, or by answering 410).' })
  isDisabled!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it was disabled.' })
  disabledReason!: string | null;

  @Field(() => Date, { nullable: true, description: 'Until when the secret before the last rotation still signs.' })
  previousSecretExpiresAt!: Date | null;

  @Field(() => Date, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => Date, { description: 'When it last changed.' })
  updatedAt!: Date;

  static from(e: WebhookEndpoint): WebhookEndpointType {
    return Object.assign(new WebhookEndpointType(), {
      id: e.id,
      customerId: e.customer.id,
      url: e.url,
      events: [...e.events],
      description: e.description,
      isDisabled: e.disabledAt !== null,
      disabledReason: e.disabledReason,
      previousSecretExpiresAt: e.previousSecretExpiresAt,
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
    });
  }
}

@ObjectType('WebhookEndpointWithSecret', { description: 'An endpoint with its signing secret, shown only when created or rotated.' })
export class WebhookEndpointWithSecretType {
  @Field(() => WebhookEndpointType, { description: 'The endpoint.' })
  endpoint!: WebhookEndpointType;

  @Field(() => String, { description: 'The signing secret (`whsec_…`): store it now, it is never shown again.' })
  signingSecret!: string;
}

@ObjectType('WebhookAttempt', { description: 'One HTTP attempt of a delivery.' })
export class WebhookAttemptType {
  @Field(() => Date, { description: 'When it was made.' })
  attemptedAt!: Date;

  @Field(() => Int, { nullable: true, description: 'The receiver\'s HTTP status; null when there was no answer.' })
  statusCode!: number | null;

  @Field(() => Int, { description: 'How long it took, in milliseconds.' })
  latencyMs!: number;

  @Field(() => String, {
    nullable: true,
    description:
      'Why it got no usable answer, as a class: timeout, dns_failed, address_refused (the host is or resolves to an address webhooks may not reach), connect_failed, tls_failed, response_failed or endpoint_disabled. Null when the answer of the receiver arrived whole (see statusCode).',
  })
  error!: string | null;

  static from(a: WebhookAttempt): WebhookAttemptType {
    return Object.assign(new WebhookAttemptType(), { attemptedAt: a.attemptedAt, statusCode: a.statusCode, latencyMs: a.latencyMs, error: failureClassOf(a.error) });
  }
}

@ObjectType('WebhookDelivery', { description: 'One event for one endpoint.' })
export class WebhookDeliveryType {
  @Field(() => ID, { description: 'Stable identifier.' })
  id!: string;

  @Field(() => ID, { description: 'The endpoint.' })
  endpointId!: string;

  @Field(() => ID, { description: 'The event\'s id (the `X-Ids-Event-Id` header; the same on every redelivery).' })
  eventId!: string;

  @Field(() => String, { description: 'The event type.' })
  eventType!: string;

  @Field(() => DeliveryStatus, { description: 'PENDING, SUCCEEDED or FAILED.' })
  status!: DeliveryStatus;

  @Field(() => Int, { description: 'Attempts made so far.' })
  attemptCount!: number;

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due, while PENDING.' })
  nextAttemptAt!: Date | null;

  @Field(() => Date, { description: 'When it was created.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it succeeded or failed for good.' })
  completedAt!: Date | null;

  /** Filled by the resolver, in one query per page. */
  attempts!: WebhookAttemptType[];

  static from(d: WebhookDelivery): WebhookDeliveryType {
    return Object.assign(new WebhookDeliveryType(), {
      id: d.id,
      endpointId: d.endpoint.id,
      eventId: d.eventId,
      eventType: d.eventType,
      status: d.status,
      attemptCount: d.attempts,
      nextAttemptAt: d.nextAttemptAt,
      createdAt: d.createdAt,
      completedAt: d.completedAt,
    });
  }
}

@ObjectType('WebhookEndpointConnection', { description: 'A page of webhook endpoints, oldest first.' })
export class WebhookEndpointConnection extends Connection(WebhookEndpointType) {}

@ObjectType('WebhookDeliveryConnection', { description: 'A page of webhook deliveries, newest first.' })
export class WebhookDeliveryConnection extends Connection(WebhookDeliveryType) {}

@InputType('CreateWebhookEndpointInput', { description: 'A new webhook endpoint.' })
export class CreateWebhookEndpointInput {
  @Field(() => String, { description: 'An https URL (plain http to loopback only in development).' })
  url!: string;

  @Field(() => [String], { description: 'Event types to receive.' })
  events!: string[];

  @Field(() => String, { nullable: true, description: 'What it is for.' })
  description?: string | null;
}

@InputType('UpdateWebhookEndpointInput', { description: 'Changes to a webhook endpoint; only the fields given change.' })
export class UpdateWebhookEndpointInput {
  @Field(() => String, { nullable: true, description: 'A new URL.' })
  url?: string | null;

  @Field(() => [String], { nullable: true, description: 'A new set of event types.' })
  events?: string[] | null;

  @Field(() => String, { nullable: true, description: 'A new description (empty clears it).' })
  description?: string | null;
}

@InputType('WebhookDeliveryFilter', { description: 'Which webhook deliveries to list.' })
export class WebhookDeliveryFilterInput {
  @Field(() => ID, { nullable: true, description: 'Only this endpoint\'s.' })
  endpointId?: string | null;

  @Field(() => DeliveryStatus, { nullable: true, description: 'Only in this status.' })
  status?: DeliveryStatus | null;

  @Field(() => String, { nullable: true, description: 'Only of this event type.' })
  eventType?: string | null;

  @Field(() => Date, { nullable: true, description: 'Only created at or after this time.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only created before this time.' })
  to?: Date | null;
}
