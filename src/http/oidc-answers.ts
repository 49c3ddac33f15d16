import { InvalidClientError, OAuthError } from '../oauth';
import { OidcError, OidcFailure } from '../oidc-provider';
import { oauthErrorAnswer } from './oauth-answers';

export type WireAnswer = readonly [status: number, body: object, headers?: Record<string, string>];

/** The one table of the OpenID Connect endpoints' own errors on the wire (RFC 6750 §3.1 for bearer tokens). */
const OIDC_ANSWERS: Record<OidcFailure, { status: number; error: string; bearer: boolean }> = {
  UNKNOWN_ISSUER: { status: 404, error: 'invalid_request', bearer: false },
  INVALID_TOKEN: { status: 401, error: 'invalid_token', bearer: true },
  INSUFFICIENT_SCOPE: { status: 403, error: 'insufficient_scope', bearer: true },
};

/** The answer to an OAuth or OIDC error; anything else is not ours to answer (rethrown by the caller). */
export function oidcErrorAnswer(err: OAuthError | OidcError): WireAnswer {
  if (err instanceof OAuthError) {
    const [status, body, headers] = oauthErrorAnswer(err);
    // The realm is the issuer's endpoint family, not the service-client one.
    const basic = err instanceof InvalidClientError && err.usedBasic ? { 'WWW-Authenticate': 'Basic realm="oidc"' } : headers;
    return [status, body, basic];
  }
  const { status, error, bearer } = OIDC_ANSWERS[err.code];
  const headers = bearer ? { 'WWW-Authenticate': `Bearer error="${error}", error_description="${err.message}"` } : undefined;
  return [status, { error, error_description: err.message }, headers];
}
