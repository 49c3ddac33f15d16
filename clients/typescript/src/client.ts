import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, print } from 'graphql';
import { ClientGraphqlError, GraphqlRequestError, NetworkError, toClientError } from './errors';
import { paginate as paginateWith, type Connection } from './paginate';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from './retry';

interface BaseOptions {
  /** The service's GraphQL endpoint, e.g. `https://id.example.net/graphql`. */
  url: string;
  /** Defaults to the global `fetch` (Node 18+, browsers). */
  fetch?: typeof fetch;
  /** Retries of queries after a network failure; mutations are never retried. `false` turns it off. */
  retry?: Partial<RetryOptions> | false;
}

/** Either a fixed bearer token or a function asked before every attempt (to refresh an expiring one). */
export type ClientOptions = BaseOptions & ({ token: string; getToken?: never } | { getToken: () => string | Promise<string>; token?: never });

/** What an operation answered: `data` (possibly partial) and the typed errors next to it. */
export interface GraphqlResult<TResult> {
  data: TResult | null;
  errors: ClientGraphqlError[];
  /** The HTTP status (200 for field errors; 400 for invalid operations; 401 without a valid token). */
  status: number;
}

/** Operations without required variables may leave them out. (Callers wrap it in NoInfer so the document alone decides the variables' type, and a misspelt one is an excess property.) */
export type VariablesArg<TVariables> = Record<string, never> extends TVariables ? [variables?: TVariables] : [variables: TVariables];

export type Client = ReturnType<typeof createClient>;

/**
 * A typed client: every method takes a generated document (`ProfilesDocument`, …), and the result
 * and variable types follow from it, so no query string or response type is ever written by hand.
 */
export function createClient(options: ClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const retry = options.retry === false ? { ...DEFAULT_RETRY, attempts: 1 } : { ...DEFAULT_RETRY, ...options.retry };
  const token = async () => (options.getToken ? options.getToken() : options.token);

  async function execute<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...[variables]: VariablesArg<NoInfer<TVariables>>
  ): Promise<GraphqlResult<TResult>> {
    const operation = getOperationAST(document);
    if (!operation) throw new TypeError('the document must hold exactly one operation (or name the one to run)');
    const body = JSON.stringify({ query: print(document), variables: variables ?? {}, operationName: operation.name?.value });
    // Only a query is safe to send twice: a mutation whose answer was lost may have happened.
    const attempts = operation.operation === 'query' ? retry.attempts : 1;
    return withRetry({ ...retry, attempts }, async (attempt) => {
      let res: Response;
      try {
        res = await doFetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${await token()}` },
          body,
        });
      } catch (err) {
        throw new NetworkError(`could not reach ${options.url}: ${(err as Error).message}`, attempt, null, err);
      }
      let parsed: { data?: TResult | null; errors?: unknown[] };
      try {
        parsed = (await res.json()) as typeof parsed;
      } catch (err) {
        throw new NetworkError(`${options.url} answered HTTP ${res.status} without a GraphQL body`, attempt, res.status, err);
      }
      if (parsed === null || typeof parsed !== 'object' || (!('data' in parsed) && !Array.isArray(parsed.errors))) {
        throw new NetworkError(`${options.url} answered HTTP ${res.status} without a GraphQL body`, attempt, res.status);
      }
      return { data: parsed.data ?? null, errors: (parsed.errors ?? []).map(toClientError), status: res.status };
    });
  }

  /** Runs an operation and answers its data; any error (even beside partial data) throws a GraphqlRequestError. */
  async function request<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, ...variables: VariablesArg<NoInfer<TVariables>>): Promise<TResult> {
    const result = await execute(document, ...variables);
    if (result.errors.length > 0 || result.data === null) throw new GraphqlRequestError(result.errors, result.data, result.status);
    return result.data;
  }

  /**
   * Every node of a cursor connection, page after page: `select` picks the connection out of the
   * data, and `after` is filled in from `pageInfo.endCursor` until `hasNextPage` is false.
   */
  function paginate<TResult, TVariables extends { after?: string | null }, TNode>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: NoInfer<TVariables>,
    select: (data: TResult) => Connection<TNode>,
  ): AsyncGenerator<TNode, void, undefined> {
    return paginateWith((after) => request(document, ...([{ ...variables, after }] as VariablesArg<TVariables>)), select);
  }

  return { execute, request, paginate };
}
