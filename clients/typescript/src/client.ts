import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export interface ClientOptions {
  /** The service's GraphQL endpoint, e.g. `https://id.example.net/graphql`. */
  url: string;
  /** Bearer token sent with every operation. */
  token: string;
  fetch?: typeof fetch;
}

/** One GraphQL error as the service reports it; `code` is the stable `extensions.code`. */
export interface ClientGraphqlError {
  message: string;
  code: string;
  path?: ReadonlyArray<string | number>;
  extensions: Record<string, unknown>;
}

/** Thrown when an operation answers with errors; `data` holds whatever did resolve. */
export class GraphqlRequestError extends Error {
  constructor(
    readonly errors: ClientGraphqlError[],
    readonly data: unknown,
    readonly status: number,
  ) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('; '));
    this.name = 'GraphqlRequestError';
  }
}

/** A minimal typed client: result and variable types come from the generated document. */
export function createClient(options: ClientOptions) {
  const doFetch = options.fetch ?? fetch;
  return {
    async request<TResult, TVariables extends Record<string, unknown>>(
      document: TypedDocumentNode<TResult, TVariables>,
      variables: TVariables,
    ): Promise<TResult> {
      const res = await doFetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}` },
        body: JSON.stringify({ query: print(document), variables }),
      });
      const body = (await res.json()) as { data?: TResult; errors?: Array<Record<string, unknown>> };
      if (body.errors?.length) {
        const errors = body.errors.map((e) => {
          const extensions = (e.extensions ?? {}) as Record<string, unknown>;
          return {
            message: String(e.message),
            code: String(extensions.code ?? 'UNKNOWN'),
            path: e.path as ClientGraphqlError['path'],
            extensions,
          };
        });
        throw new GraphqlRequestError(errors, body.data ?? null, res.status);
      }
      return body.data as TResult;
    },
  };
}
