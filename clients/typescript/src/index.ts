export * from './generated/graphql';
export { createClient, GraphqlRequestError } from './client';
export type { ClientOptions, ClientGraphqlError } from './client';
export { verifyWebhookSignature, WEBHOOK_EVENT_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, type WebhookVerification } from './webhooks';
