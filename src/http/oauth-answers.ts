import { InvalidClientError, type OAuthError, type OAuthFailure } from '../oauth';

/** The one table of OAuth 2.0 errors on the wire (RFC 6749 §5.2, RFC 7009 §2.2.1): registered `error` code and status. */
const OAUTH_ANSWERS: Record<OAuthFailure, { status: number; error: string }> = {
  INVALID_REQUEST: { status: 400, error: 'invalid_request' },
  // RFC 6749 §5.2: 401 (with a challenge when the client tried HTTP Basic).
  INVALID_CLIENT: { status: 401, error: 'invalid_client' },
  UNAUTHORIZED_CLIENT: { status: 400, error: 'unauthorized_client' },
  UNSUPPORTED_GRANT_TYPE: { status: 400, error: 'unsupported_grant_type' },
  INVALID_SCOPE: { status: 400, error: 'invalid_scope' },
  INVALID_GRANT: { status: 400, error: 'invalid_grant' },
};

/** The status, JSON body and headers an OAuth error is answered with. */
export function oauthErrorAnswer(err: OAuthError): readonly [status: number, body: { error: string; error_description: string }, headers?: Record<string, string>] {
  const { status, error } = OAUTH_ANSWERS[err.code];
  const usedBasic = err instanceof InvalidClientError && err.usedBasic;
  return [status, { error, error_description: err.message }, usedBasic ? { 'WWW-Authenticate': 'Basic realm="oauth"' } : undefined];
}
