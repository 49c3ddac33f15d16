/**
 * The error codes the identity service puts in `extensions.code` (src/shared/errors.ts and the
 * feature `*.errors.ts` files, plus the ones Apollo and graphql-js produce). Any other code, from a
 * newer server, arrives as `UNKNOWN` with the server's code in `serverCode`.
 */
export const GRAPHQL_ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'PROFILE_RESTRICTED',
  'DELETION_REQUEST_NOT_VISIBLE',
  'PRIVACY_REQUEST_NOT_PENDING',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'INTERNAL_SERVER_ERROR',
] as const;

export type GraphqlErrorCode = (typeof GRAPHQL_ERROR_CODES)[number];

/** Where in the response an error belongs: `['profiles', 'nodes', 0, 'fullname']`; empty for the whole operation. */
export type ResponsePath = ReadonlyArray<string | number>;

interface ErrorBase<C extends string> {
  code: C;
  /** Safe to show; never carries personal values. */
  message: string;
  path: ResponsePath;
  /** `extensions` as the server sent them, code included. */
  extensions: Readonly<Record<string, unknown>>;
}

/**
 * One GraphQL error, discriminated by `code`: narrow with `switch (error.code)` to reach the
 * details each code carries (the missing scopes of a FORBIDDEN, the input field of a BAD_USER_INPUT).
 */
export type ClientGraphqlError =
  | (ErrorBase<'FORBIDDEN'> & { missingScopes: readonly string[] })
  | (ErrorBase<'BAD_USER_INPUT' | 'CONFLICT'> & { field: string | null })
  | (ErrorBase<'NOT_FOUND' | 'PROFILE_RESTRICTED'> & { entity: string | null })
  | ErrorBase<Exclude<GraphqlErrorCode, 'FORBIDDEN' | 'BAD_USER_INPUT' | 'CONFLICT' | 'NOT_FOUND' | 'PROFILE_RESTRICTED'>>
  | (ErrorBase<'UNKNOWN'> & { serverCode: string | null });

const KNOWN = new Set<string>(GRAPHQL_ERROR_CODES);

const stringOrNull = (value: unknown) => (typeof value === 'string' ? value : null);

/** Turns one error of a GraphQL response body into its typed form. */
export function toClientError(raw: unknown): ClientGraphqlError {
  const error = (raw ?? {}) as { message?: unknown; path?: unknown; extensions?: unknown };
  const extensions = (typeof error.extensions === 'object' && error.extensions !== null ? error.extensions : {}) as Record<string, unknown>;
  const base = {
    message: typeof error.message === 'string' ? error.message : 'unknown error',
    path: Array.isArray(error.path) ? (error.path as ResponsePath) : [],
    extensions,
  };
  const code = stringOrNull(extensions.code);
  if (code === null || !KNOWN.has(code)) return { ...base, code: 'UNKNOWN', serverCode: code };
  const known = code as GraphqlErrorCode;
  switch (known) {
    case 'FORBIDDEN': {
      const scopes = Array.isArray(extensions.missingScopes) ? extensions.missingScopes.filter((s): s is string => typeof s === 'string') : [];
      return { ...base, code: known, missingScopes: scopes };
    }
    case 'BAD_USER_INPUT':
    case 'CONFLICT':
      return { ...base, code: known, field: stringOrNull(extensions.field) };
    case 'NOT_FOUND':
    case 'PROFILE_RESTRICTED':
      return { ...base, code: known, entity: stringOrNull(extensions.entity) };
    default:
      return { ...base, code: known };
  }
}

/** The errors at `path` or below it, e.g. `errorsAt(result.errors, 'profiles', 'nodes', 0)`. */
export function errorsAt(errors: readonly ClientGraphqlError[], ...path: Array<string | number>): ClientGraphqlError[] {
  return errors.filter((e) => path.every((segment, i) => e.path[i] === segment));
}

/** Thrown by `request` and `paginate` when the response has errors; `data` keeps what did resolve. */
export class GraphqlRequestError extends Error {
  constructor(
    readonly errors: ClientGraphqlError[],
    readonly data: unknown,
    readonly status: number,
  ) {
    super(errors.map((e) => `${e.code}${e.path.length ? ` at ${e.path.join('.')}` : ''}: ${e.message}`).join('; '));
    this.name = 'GraphqlRequestError';
  }

  /** Whether any error has this code (narrowing helper for `catch` blocks). */
  has<C extends ClientGraphqlError['code']>(code: C): boolean {
    return this.errors.some((e) => e.code === code);
  }
}

/** The server could not be reached, or answered without a GraphQL body (e.g. a proxy's 502), after every retry. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    readonly status: number | null,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}
