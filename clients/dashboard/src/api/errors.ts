import type { CombinedError } from 'urql';

/** An API failure as an operator should read it: words, the error code, and the request id to quote. */
export interface Problem {
  message: string;
  code: string | null;
  requestId: string | null;
  /** Per-field messages of a validation error (extensions.field / extensions.fields), when given. */
  fields: Record<string, string>;
}

const CODE_WORDS: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has ended. Sign in again.',
  FORBIDDEN: 'Your role does not allow this.',
  NOT_FOUND: 'Nothing was found: it may have been deleted, or belong to another customer.',
};

/** `extensions` is the result's top-level extensions, where the service puts `requestId` on a failure. */
export function describeError(error: CombinedError, extensions?: Record<string, unknown>): Problem {
  if (error.networkError) {
    return { message: `The service could not be reached: ${error.networkError.message}`, code: null, requestId: null, fields: {} };
  }
  const first = error.graphQLErrors[0];
  const code = typeof first?.extensions?.code === 'string' ? first.extensions.code : null;
  const fields: Record<string, string> = {};
  for (const e of error.graphQLErrors) {
    const field = e.extensions?.field;
    if (typeof field === 'string') fields[field] = e.message;
  }
  const response = error.response as { headers?: Headers } | undefined;
  const fromBody = typeof extensions?.requestId === 'string' ? extensions.requestId : null;
  const requestId = fromBody ?? requestIdOf(error) ?? response?.headers?.get?.('x-request-id') ?? null;
  const message = first?.message ?? 'The request failed.';
  const words = code && CODE_WORDS[code] && code !== 'BAD_USER_INPUT' ? `${CODE_WORDS[code]} (${message})` : message;
  return { message: words, code, requestId, fields };
}

/** The request id the service puts in a failed response's top-level extensions. */
function requestIdOf(error: CombinedError): string | null {
  for (const e of error.graphQLErrors) {
    const id = (e.extensions as Record<string, unknown> | undefined)?.requestId;
    if (typeof id === 'string') return id;
  }
  return null;
}
