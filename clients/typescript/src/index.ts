export * from './generated/graphql';
export { createClient } from './client';
export type { Client, ClientOptions, GraphqlResult, VariablesArg } from './client';
export { GRAPHQL_ERROR_CODES, GraphqlRequestError, NetworkError, errorsAt, toClientError } from './errors';
export type { ClientGraphqlError, GraphqlErrorCode, ResponsePath } from './errors';
export type { Connection } from './paginate';
export type { RetryOptions } from './retry';
export { verifyWebhookSignature, WEBHOOK_EVENT_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, type WebhookVerification } from './webhooks';
