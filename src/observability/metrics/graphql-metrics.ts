import type { ApolloServerPlugin } from '@apollo/server';
import type { AppMetrics } from './app-metrics';
import { errorCodeLabel, operationLabel } from './labels';

/** Counts each GraphQL operation as it is answered: `ids_graphql_operations_total{operation,result}`. */
export function graphqlMetricsPlugin(metrics: AppMetrics, region: string, known: ReadonlySet<string>): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operationName, request, response }) {
          const body = response.body;
          // The formatted errors (formatError has run), so the code is the one the client sees.
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          const result = errors && errors.length > 0 ? errorCodeLabel(errors[0]!.extensions?.code) : 'ok';
          metrics.graphqlOperations.inc({ region, operation: operationLabel(operationName ?? request.operationName, known), result });
        },
      };
    },
  };
}
