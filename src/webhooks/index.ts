export { WebhookService } from './webhook.service';
export { deliverWebhookJob, dispatchWebhooksJob } from './webhook.jobs';
export { WEBHOOK_EVENT_TYPES } from './events';
export { signatureHeader, signPayload, SIGNATURE_HEADER, EVENT_ID_HEADER } from './signature';
export { deleteFailedDeliveries } from './webhook-delivery.repository';
export { sendWebhook } from './sender';
export type { SendResult } from './sender';
