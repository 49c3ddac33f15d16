/**
 * Refusals of an authorization request (OpenID Connect Core §3.1.2.6, RFC 6749 §4.1.2.1). Those
 * found before the client and its redirect URI are known good are shown to the person as a page
 * (never sent to an unchecked address); every other one goes back to the client's redirect URI as
 * `error`, `error_description`, `state` and `iss`.
 */
export type AuthorizationPageRefusal = 'MISSING_CLIENT_ID' | 'UNKNOWN_CLIENT' | 'MISSING_REDIRECT_URI' | 'UNREGISTERED_REDIRECT_URI' | 'REPEATED_PARAMETER';

/** Registered `error` codes we send to a redirect URI. */
export type AuthorizationErrorCode =
  | 'invalid_request'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'login_required'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'registration_not_supported'
  | 'server_error';

/** A refusal shown as a page: the person learns what is wrong; the client is not told. */
export class AuthorizationPageError extends Error {
  constructor(readonly refusal: AuthorizationPageRefusal) {
    super(refusal);
  }
}

/** A refusal answered to the client's (checked) redirect URI. */
export class AuthorizationRedirectError extends Error {
  constructor(
    readonly error: AuthorizationErrorCode,
    readonly description: string,
  ) {
    super(description);
  }
}
