export * from './generated/graphql';
export { createClient, GraphqlRequestError } from './client';
export type { ClientOptions, ClientGraphqlError } from './client';
