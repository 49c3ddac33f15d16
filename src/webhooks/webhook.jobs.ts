import { z } from 'zod';
import { Database, platformScope } from '../db/scope';
import { JobHandler } from '../jobs/workers';
import { emptyPayload, JOBS, QUEUES, SCHEDULERS } from '../jobs/queues';
import { WebhookService } from './webhook.service';

const DISPATCH_BATCH = 500;
const CLAIM_BATCH = 200;
const MAX_BATCHES_PER_RUN = 100;

export const deliverWebhookPayload = z.object({ deliveryId: z.string().uuid(), attempt: z.number().int().min(1) }).strict();

/**
 * The scheduled dispatcher: turns new outbox events into deliveries, then claims the deliveries
 * that are due (new ones, retries whose time has come, and attempts whose worker died) and starts
 * one delivery job for each. A Redis outage only delays this: events wait in the outbox and
 * deliveries in their table.
 */
export function dispatchWebhooksJob(deps: { db: Database; webhooks: WebhookService; everyMs: number }): JobHandler {
  return {
    queue: QUEUES.webhookDispatch,
    name: JOBS.dispatchWebhooks,
    payload: emptyPayload,
    schedule: { schedulerId: SCHEDULERS.dispatchWebhooks, everyMs: deps.everyMs },
    run: async (_data, log, jobs) => {
      const scope = platformScope('webhook dispatch', { routine: true });
      let events = 0;
      for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
        const moved = await deps.db.run(scope, () => deps.webhooks.dispatcher.dispatch(DISPATCH_BATCH));
        events += moved;
        if (moved < DISPATCH_BATCH) break;
      }
      let started = 0;
      for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
        const due = await deps.db.run(scope, () => deps.webhooks.dispatcher.claimDue(CLAIM_BATCH));
        await jobs.add(
          QUEUES.webhookDelivery,
          JOBS.deliverWebhook,
          due.map(({ id, attempt }) => ({ data: { deliveryId: id, attempt }, opts: { removeOnComplete: true, removeOnFail: { count: 1000 }, attempts: 1 } })),
        );
        started += due.length;
        if (due.length < CLAIM_BATCH) break;
      }
      if (events > 0 || started > 0) log.debug({ events, started }, 'dispatched webhooks');
      return { events, started };
    },
  };
}

/** One attempt of one delivery; many run at once, so a hanging endpoint holds only its own slot. */
export function deliverWebhookJob(deps: { webhooks: WebhookService; concurrency: number }): JobHandler {
  return {
    queue: QUEUES.webhookDelivery,
    name: JOBS.deliverWebhook,
    payload: deliverWebhookPayload,
    concurrency: deps.concurrency,
    run: (data) => {
      const { deliveryId, attempt } = data as z.infer<typeof deliverWebhookPayload>;
      return deps.webhooks.dispatcher.deliver(deliveryId, attempt);
    },
  };
}
