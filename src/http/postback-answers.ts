import type { PostbackRefusal } from '../identity-flow';

/** Refusals the postback route makes itself, before the flow sees the request. */
export type PostbackTransportRefusal = 'METHOD_NOT_ALLOWED' | 'UNSUPPORTED_MEDIA_TYPE' | 'TOO_LARGE' | 'MALFORMED_BODY';

/**
 * The one table of the AW postback's wire form (docs/protocol.md#postback): each refusal's status and the
 * first word of its `text/plain` body. The AW's developers read these bodies: they must never change.
 */
const POSTBACK_ANSWERS: Record<PostbackRefusal | PostbackTransportRefusal, { status: number; error: string }> = {
  UNKNOWN_REQUEST: { status: 404, error: 'unknown_request' },
  INVALID_API_KEY: { status: 403, error: 'invalid_api_key' },
  REQUEST_EXPIRED: { status: 410, error: 'request_expired' },
  ALREADY_POSTED: { status: 409, error: 'already_posted' },
  DUPLICATE_PARAMETER: { status: 400, error: 'duplicate_parameter' },
  MISSING_PARAMETER: { status: 400, error: 'missing_parameter' },
  INVALID_PARAMETER: { status: 400, error: 'invalid_parameter' },
  USERNAME_AND_CANCEL: { status: 400, error: 'username_and_cancel' },
  METHOD_NOT_ALLOWED: { status: 405, error: 'method_not_allowed' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, error: 'unsupported_media_type' },
  TOO_LARGE: { status: 413, error: 'too_large' },
  MALFORMED_BODY: { status: 400, error: 'malformed_body' },
};

/** The status and body of a refused postback: `error: <code>`, then the parameter it concerns, if any. */
export function postbackAnswer(code: PostbackRefusal | PostbackTransportRefusal, parameter: string | null = null): { status: number; body: string } {
  const { status, error } = POSTBACK_ANSWERS[code];
  return { status, body: parameter === null ? `error: ${error}` : `error: ${error} ${parameter}` };
}
