import type { ApolloServerPlugin } from '@apollo/server';
import * as dashboardDocuments from '../../../clients/dashboard/src/generated/graphql';
import * as sdkDocuments from '../../../clients/typescript/src/generated/graphql';
import type { AppMetrics } from './app-metrics';
import { errorCodeLabel, operationLabel } from './labels';

/**
 * The operation names of our own clients' documents (the SDK's and the dashboard's), read from the
 * generated documents, which codegen writes from each client's operation files and keeps in step with
 * them: the only names that become a label. Anyone may name an operation anything.
 */
export function knownOperationNames(modules: ReadonlyArray<Record<string, unknown>> = [sdkDocuments, dashboardDocuments]): ReadonlySet<string> {
  const names = new Set<string>();
  for (const module of modules) {
    for (const value of Object.values(module)) {
      const definitions = (value as { kind?: unknown; definitions?: unknown } | null)?.kind === 'Document' ? (value as { definitions: unknown[] }).definitions : [];
      for (const definition of definitions as Array<{ kind?: string; name?: { value?: string } }>) {
        if (definition.kind === 'OperationDefinition' && definition.name?.value) names.add(definition.name.value);
      }
    }
  }
  return names;
}

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
