import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService } from '../audit';
import { Database } from '../db/scope';
import type { KeyRing } from '../keys';
import { Clock } from '../shared/clock';
import { Logger } from '../shared/logger';
import { OutboundGuard } from '../shared/net/outbound-guard';
import { UrlPolicy } from '../shared/net/url-policy';
import { RandomSource } from '../shared/random';
import { Sealer } from '../shared/sealed-box';
import { type RestrictionLookup } from '../profiles';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookDispatcher } from './webhook-dispatch.service';
import { WebhookEndpointService } from './webhook-endpoint.service';

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
  /** Person keys: stored delivery bodies about a person are sealed under theirs (issue 17). */
  keys: KeyRing;
}

/**
 * Event postbacks to customers (issue #7), in three parts: `endpoints` (where events go and the
 * secrets that sign them), `deliveries` (inspection and redelivery, for operators) and `dispatcher`
 * (the worker: outbox events into deliveries, each delivered at least once on a retry schedule).
 */
export class WebhookService {
  readonly endpoints: WebhookEndpointService;
  readonly deliveries: WebhookDeliveryService;
  readonly dispatcher: WebhookDispatcher;

  constructor(deps: WebhookServiceDeps) {
    this.endpoints = new WebhookEndpointService(deps);
    this.deliveries = new WebhookDeliveryService(deps);
    this.dispatcher = new WebhookDispatcher(deps);
  }
}
