import { z } from 'zod';

/** The limits every GraphQL operation is checked against before it runs; part of configSchema. */
export const graphqlConfigShape = {
  GRAPHQL_MAX_DEPTH: z.coerce
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('Deepest field nesting a GraphQL operation may have (fragments expanded); deeper ones are refused unexecuted.'),
  GRAPHQL_MAX_ALIASES: z.coerce
    .number()
    .int()
    .min(0)
    .default(30)
    .describe('Most aliased fields a GraphQL operation may have; more are refused unexecuted.'),
  GRAPHQL_MAX_COMPLEXITY: z.coerce
    .number()
    .int()
    .min(1)
    .default(5000)
    .describe('Highest cost of a GraphQL operation: one per field, with the fields under a `first` argument counted `first` times.'),
};
