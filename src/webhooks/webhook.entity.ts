import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';

/** A customer's receiver of event postbacks. Its signing secrets are sealed (we must sign with them, so not hashed). */
@Entity({ tableName: 'webhook_endpoint' })
export class WebhookEndpoint {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade', index: 'webhook_endpoint_customer_id_index' })
  customer!: Customer;

  @Property({ type: 'string', length: 2048 })
  url!: string;

  @Property({ type: 'text[]', columnType: 'text[]', default: '{}' })
  events: string[] = [];

  @Property({ type: 'string', length: 500, nullable: true })
  description: string | null = null;

  @Property({ type: 'blob', columnType: 'bytea' })
  secret!: Buffer;

  /** The secret before the last rotation, still signing until `previousSecretExpiresAt`. */
  @Property({ type: 'blob', columnType: 'bytea', nullable: true })
  previousSecret: Buffer | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  previousSecretExpiresAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  disabledAt: Date | null = null;

  @Property({ type: 'string', length: 200, nullable: true })
  disabledReason: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;
}

export enum DeliveryStatus {
  PENDING = 'PENDING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}

/** One event for one endpoint: delivered at least once, retried on a schedule, or FAILED (and purged WEBHOOK_FAILED_RETENTION_DAYS later). */
@Entity({ tableName: 'webhook_delivery' })
@Index({ name: 'webhook_delivery_due_index', properties: ['nextAttemptAt'], expression: `create index "webhook_delivery_due_index" on "webhook_delivery" ("next_attempt_at") where "status" = 'PENDING'` })
@Index({ name: 'webhook_delivery_endpoint_created_index', properties: ['endpoint', 'createdAt', 'id'] })
@Index({ name: 'webhook_delivery_failed_index', properties: ['completedAt'], expression: `create index "webhook_delivery_failed_index" on "webhook_delivery" ("completed_at") where "status" = 'FAILED'` })
export class WebhookDelivery {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade', index: 'webhook_delivery_customer_id_index' })
  customer!: Customer;

  @ManyToOne(() => WebhookEndpoint, { deleteRule: 'cascade', updateRule: 'cascade' })
  endpoint!: WebhookEndpoint;

  /** The event's id: the same for every endpoint and every redelivery, so receivers deduplicate by it. */
  @Property({ type: 'uuid' })
  eventId!: string;

  @Property({ type: 'string', length: 64 })
  eventType!: string;

  /** The exact JSON sent, kept so a redelivery sends the same bytes. */
  @Property({ type: 'text' })
  body!: string;

  /** The person it is about (keyed hash), so erasure can find it. */
  @Index({ name: 'webhook_delivery_subject_hash_index' })
  @Property({ type: 'string', length: 64, nullable: true })
  subjectHash: string | null = null;

  @Enum({ items: () => DeliveryStatus, type: 'text' })
  status: DeliveryStatus = DeliveryStatus.PENDING;

  @Property({ type: 'integer', default: 0 })
  attempts = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null = null;

  /** Set when an attempt is handed to a worker; a worker that dies leaves it to expire, and the attempt is handed out again. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  claimedUntil: Date | null = null;

  @Property({ type: 'integer', nullable: true })
  lastStatusCode: number | null = null;

  @Property({ type: 'string', length: 500, nullable: true })
  lastError: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  completedAt: Date | null = null;
}

/** One HTTP attempt of a delivery. */
@Entity({ tableName: 'webhook_attempt' })
export class WebhookAttempt {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade', index: 'webhook_attempt_customer_id_index' })
  customer!: Customer;

  @ManyToOne(() => WebhookDelivery, { deleteRule: 'cascade', updateRule: 'cascade', index: 'webhook_attempt_delivery_id_index' })
  delivery!: WebhookDelivery;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  attemptedAt!: Date;

  @Property({ type: 'integer', nullable: true })
  statusCode: number | null = null;

  @Property({ type: 'integer' })
  latencyMs!: number;

  @Property({ type: 'string', length: 500, nullable: true })
  error: string | null = null;
}
