import { Span, SpanStatusCode, Tracer } from '@opentelemetry/api';
import { ApolloServerPlugin } from '@apollo/server';
import { knownOperationNames } from '../operation-names';

/** Read once from the generated documents: the only operation names a span may carry. */
const KNOWN_OPERATION_NAMES = knownOperationNames();

/**
 * A span per GraphQL operation, `GraphQL <type> <name>`, child of the request's span. The name is
 * the operation's only when it is one of our clients' documents (else `anonymous`); variables and
 * the document's text are never recorded. An operation refused before it resolves (a syntax or
 * validation error) has no span of its own: its HTTP span says it was answered.
 */
export function graphqlSpans(tracer: Tracer): ApolloServerPlugin {
  return {
    async requestDidStart() {
      let span: Span | undefined;
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!operation) return;
          const name = operationName && KNOWN_OPERATION_NAMES.has(operationName) ? operationName : 'anonymous';
          span = tracer.startSpan(`GraphQL ${operation.operation} ${name}`, {
            attributes: { 'graphql.operation.type': operation.operation, 'graphql.operation.name': name },
          });
        },
        async didEncounterErrors({ errors }) {
          // Codes only: an error's message may quote what the client sent.
          const codes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
          span?.setAttribute('graphql.error.codes', codes);
          span?.setStatus({ code: SpanStatusCode.ERROR });
        },
        async willSendResponse() {
          span?.end();
        },
      };
    },
  };
}
