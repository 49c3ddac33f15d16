/**
 * Protocol errors of the OpenID 2.0 provider. One base class, one subclass per failure
 * (STYLE.md, Errors). Pure code throws these and never catches them; the provider maps them once:
 *
 * - direct requests (associate, check_authentication): `directErrorResponse` → HTTP 400 KV;
 * - indirect requests (checkid_* and any other mode by GET): always our own error page (HTTP 400,
 *   with the request's reference id), never a redirect.
 *
 * [D] No error ever travels back by redirect, not even to a return_to inside a trusted realm.
 * §5.2.3 lets the OP answer a malformed indirect request with an error page, and every redirect
 * carrying `openid.mode=error` is a free hop from our domain to a URL the requester picked: an
 * open redirector. Only answers to a well-formed checkid (id_res, cancel, setup_needed) are
 * redirected, and only to a return_to that passed every check.
 */

export interface OpenIdErrorOptions {
  /** Whether `message` is safe to show to the user or RP. Defaults to true. */
  readonly expose?: boolean;
  readonly cause?: unknown;
}

export class OpenIdError extends Error {
  /** Whether `message` may be shown to the end user / sent to the RP verbatim. */
  readonly expose: boolean;

  constructor(
    readonly code: string,
    message: string,
    options: OpenIdErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.expose = options.expose ?? true;
  }
}

/** A message breaks the encoding rules of §4.1 or misses a required field. */
export class MalformedMessageError extends OpenIdError {
  constructor(message: string, options: OpenIdErrorOptions = {}) {
    super('MALFORMED_MESSAGE', message, options);
  }
}

/** Key-Value form that cannot be parsed (§4.1.1). */
export class MalformedKvFormError extends OpenIdError {
  constructor(message: string) {
    super('MALFORMED_KV_FORM', message);
  }
}

/**
 * Our own code tried to put a LF or a ':' where Key-Value form forbids it (§4.1.1). This is a
 * bug or unsanitised input upstream, never the RP's fault, hence `expose: false`.
 */
export class KvFormEncodingError extends OpenIdError {
  constructor(message: string) {
    super('KV_FORM_ENCODING', message, { expose: false });
  }
}

/** `openid.ns` absent or 1.x (we are 2.0 only, docs/protocol.md#openid-1-1), or an unknown namespace. */
export class UnsupportedVersionError extends OpenIdError {
  constructor(message = 'Only OpenID 2.0 messages are supported') {
    super('UNSUPPORTED_VERSION', message);
  }
}

export class UnknownModeError extends OpenIdError {
  constructor(mode: string) {
    super('UNKNOWN_MODE', `Unknown openid.mode ${JSON.stringify(mode.slice(0, 64))}`);
  }
}

/**
 * §8.2.4: the OP does not support the requested association/session type. Sent with
 * `error_code: unsupported-type` and the suggested pair the RP may retry with.
 */
export class UnsupportedAssociationTypeError extends OpenIdError {
  constructor(
    message: string,
    readonly suggestedSessionType: string,
    readonly suggestedAssocType: string,
  ) {
    super('UNSUPPORTED_ASSOCIATION_TYPE', message);
  }
}

/** A session type we do not know at all: plain 400, no `error_code` (docs/protocol.md#associations). */
export class UnknownSessionTypeError extends OpenIdError {
  constructor(sessionType: string) {
    super('UNKNOWN_SESSION_TYPE', `Unknown openid.session_type ${JSON.stringify(sessionType.slice(0, 64))}`);
  }
}

/** Missing, badly encoded or policy-violating Diffie-Hellman parameters (§8.1.2, docs/protocol.md#associations). */
export class InvalidDhParametersError extends OpenIdError {
  constructor(message: string, options: Pick<OpenIdErrorOptions, 'cause'> = {}) {
    super('INVALID_DH_PARAMETERS', message, options);
  }
}

/** [D] A checkid request without return_to: a reply is the whole point (docs/protocol.md#checkid). */
export class ReturnToRequiredError extends OpenIdError {
  constructor() {
    super('RETURN_TO_REQUIRED', 'openid.return_to is required');
  }
}

export class InvalidReturnToError extends OpenIdError {
  constructor(message: string) {
    super('INVALID_RETURN_TO', message);
  }
}

/** The realm does not parse (§9.2). */
export class BadRealmError extends OpenIdError {
  constructor(message = 'openid.realm is not a valid realm') {
    super('BAD_REALM', message);
  }
}

/** §9.2 says indirect error; [D] we render a page instead, like every error (see the top of this file). */
export class ReturnToOutsideRealmError extends OpenIdError {
  constructor() {
    super('RETURN_TO_OUTSIDE_REALM', 'openid.return_to does not match openid.realm');
  }
}

/** A realm wildcard covering a public suffix, an unknown TLD, or everything (docs/protocol.md#checkid). */
export class InsaneRealmError extends OpenIdError {
  constructor() {
    super('INSANE_REALM', 'openid.realm is too broad');
  }
}

/** The customer restricts the realms it serves and this realm is not among them. */
export class UntrustedRealmError extends OpenIdError {
  constructor() {
    super('REALM_NOT_TRUSTED', 'This site is not allowed to use this OpenID provider');
  }
}

/** [D] Neither claimed_id nor identity: an extension-only request, which we do not serve. */
export class IdentifierRequiredError extends OpenIdError {
  constructor() {
    super('IDENTIFIER_REQUIRED', 'openid.claimed_id and openid.identity are required');
  }
}

/**
 * §9.2.1 / §13: the customer requires return_to verification (REQUIRE) and RP discovery on the
 * realm did not list this return_to, or could not be run. An error page, never a redirect.
 */
export class UnverifiedReturnToError extends OpenIdError {
  constructor() {
    super('RETURN_TO_NOT_VERIFIED', 'The site that sent you here could not be verified as the owner of openid.return_to');
  }
}

/** A response_nonce that does not parse or falls outside the accepted time window (§10.1). */
export class InvalidNonceError extends OpenIdError {
  constructor(message: string) {
    super('INVALID_NONCE', message);
  }
}

/** A response_nonce already seen for this OP endpoint (§11.3). */
export class ReplayedNonceError extends OpenIdError {
  constructor() {
    super('NONCE_REPLAYED', 'openid.response_nonce was already used');
  }
}
