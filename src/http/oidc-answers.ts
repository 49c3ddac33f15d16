import { InvalidClientError, OAuthError } from '../oauth';
import { OidcError, OidcFailure } from '../oidc-provider';
import { oauthErrorAnswer } from './oauth-answers';

export type WireAnswer = readonly [status: number, body: object, headers?: Record<string, string>];

/** The one table of the OpenID Connect endpoints' own errors on the wire (RFC 6750 §3.1 for bearer tokens). */
const OIDC_ANSWERS: Record<OidcFailure, { status: number; error: string; bearer: boolean | 'bare' }> = {
  UNKNOWN_ISSUER: { status: 404, error: 'invalid_request', bearer: false },
  // §3.1: a request without any authentication gets the challenge alone.
  MISSING_TOKEN: { status: 401, error: 'invalid_request', bearer: 'bare' },
  INVALID_TOKEN: { status: 401, error: 'invalid_token', bearer: true },
  INSUFFICIENT_SCOPE: { status: 403, error: 'insufficient_scope', bearer: true },
};

/** A bearer-protected resource's answer to a malformed request also carries its challenge (RFC 6750 §3). */
export function withBearerChallenge(answer: WireAnswer): WireAnswer {
  const [status, body, headers] = answer;
  if (status !== 400 || headers?.['WWW-Authenticate']) return answer;
  return [status, body, { ...headers, 'WWW-Authenticate': 'Bearer error="invalid_request"' }];
}

/** The answer to an OAuth or OIDC error; anything else is not ours to answer (rethrown by the caller). */
export function oidcErrorAnswer(err: OAuthError | OidcError): WireAnswer {
  if (err instanceof OAuthError) {
    const [status, body, headers] = oauthErrorAnswer(err);
    // The realm is the issuer's endpoint family, not the service-client one.
    const basic = err instanceof InvalidClientError && err.usedBasic ? { 'WWW-Authenticate': 'Basic realm="oidc"' } : headers;
    return [status, body, basic];
  }
  const { status, error, bearer } = OIDC_ANSWERS[err.code];
  const headers =
    bearer === 'bare' ? { 'WWW-Authenticate': 'Bearer realm="userinfo"' } : bearer ? { 'WWW-Authenticate': `Bearer error="${error}", error_description="${err.message}"` } : undefined;
  return [status, { error, error_description: err.message }, headers];
}
