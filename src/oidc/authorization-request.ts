import { AuthorizationPageError, AuthorizationRedirectError } from './authorization-errors';
import { OIDC_SCOPES } from './claims';
import { hasControlCharacters } from '../shared/url';
import type { StoredAuthorization } from './stored-authorization';

/** The parameters of an authorization request, as sent (query or form), in order. */
export type AuthorizationParams = ReadonlyArray<readonly [string, string]>;

/** What the request is checked against of the client it names (a registered client satisfies it). */
export interface AuthorizingClient {
  readonly id: string;
  readonly clientId: string;
  readonly name: string;
  readonly logoUri: string | null;
  readonly redirectUris: readonly string[];
  readonly scopes: readonly string[];
}

/** A validated authorization request: what is stored, and the hints passed on to the AW only. */
export interface AuthorizationRequest {
  stored: StoredAuthorization;
  /** `login_hint`: the AW's username_hint; personal, so never stored. */
  loginHint: string | null;
  /** `prompt=none`: the person must not be shown anything (answered `login_required`: the AW holds the session, we cannot see it). */
  isPromptNone: boolean;
}

/** RFC 7636 §4.2: BASE64URL(SHA-256(verifier)) is exactly 43 characters of the base64url alphabet. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);
/** Bounds on what we store of values the client chose. */
const MAX_STATE = 2048;
const MAX_NONCE = 512;
const MAX_HINT = 256;
const MAX_LOCALES = 256;

/** The client_id and redirect_uri a request names, read before anything else: each must be there once. */
export function clientOf(params: AuthorizationParams): { clientId: string; redirectUri: string | null } {
  const clientId = single(params, 'client_id');
  if (clientId === undefined) throw new AuthorizationPageError('REPEATED_PARAMETER');
  if (clientId === null || clientId === '') throw new AuthorizationPageError('MISSING_CLIENT_ID');
  const redirectUri = single(params, 'redirect_uri');
  if (redirectUri === undefined) throw new AuthorizationPageError('REPEATED_PARAMETER');
  return { clientId, redirectUri };
}

/**
 * Validates an authorization request of `client` (found by `clientOf`'s client_id, or null when
 * there is none enabled). Throws AuthorizationPageError until the redirect URI is known to be
 * registered exactly (OAuth 2.0 Security BCP: no pattern, no prefix), AuthorizationRedirectError
 * after. Pure: the caller looked the client up.
 */
export function parseAuthorizationRequest(params: AuthorizationParams, client: AuthorizingClient | null): AuthorizationRequest {
  const { clientId, redirectUri } = clientOf(params);
  if (client === null || client.clientId !== clientId) throw new AuthorizationPageError('UNKNOWN_CLIENT');
  // OpenID Connect Core §3.1.2.1: redirect_uri is required, and must match a registered one exactly.
  if (redirectUri === null || redirectUri === '') throw new AuthorizationPageError('MISSING_REDIRECT_URI');
  if (!client.redirectUris.includes(redirectUri)) throw new AuthorizationPageError('UNREGISTERED_REDIRECT_URI');

  const value = (name: string): string | null => {
    const found = single(params, name);
    if (found === undefined) throw new AuthorizationRedirectError('invalid_request', `${name} is repeated`);
    return found === '' ? null : found;
  };
  // Request objects and dynamic registration are not offered (discovery says so); refused by their own codes (Core §3.1.2.6).
  if (value('request') !== null) throw new AuthorizationRedirectError('request_not_supported', 'request objects are not supported');
  if (value('request_uri') !== null) throw new AuthorizationRedirectError('request_uri_not_supported', 'request_uri is not supported');
  if (value('registration') !== null) throw new AuthorizationRedirectError('registration_not_supported', 'registration is not supported');

  const responseType = value('response_type');
  if (responseType === null) throw new AuthorizationRedirectError('invalid_request', 'response_type is required');
  if (responseType !== 'code') throw new AuthorizationRedirectError('unsupported_response_type', 'only response_type=code is supported');
  const responseMode = value('response_mode');
  if (responseMode !== null && responseMode !== 'query') throw new AuthorizationRedirectError('invalid_request', 'only response_mode=query is supported');

  const scope = value('scope');
  const requested = scope === null ? [] : scope.split(' ').filter((s) => s !== '');
  if (!requested.includes('openid')) throw new AuthorizationRedirectError('invalid_scope', 'scope must include openid');
  // §3.1.2.1: unknown scope values are ignored; so are those the client is not registered for.
  const prompt = (value('prompt') ?? '').split(' ').filter((p) => p !== '');
  if (prompt.some((p) => !PROMPTS.has(p))) throw new AuthorizationRedirectError('invalid_request', 'prompt has an unknown value');
  if (prompt.includes('none') && prompt.length > 1) throw new AuthorizationRedirectError('invalid_request', 'prompt=none cannot be combined with other values');
  // §11: offline access only with prompt=consent, so the person is asked for it on the consent page (never by a remembered decision).
  const scopes = OIDC_SCOPES.filter((s) => requested.includes(s) && client.scopes.includes(s) && (s !== 'offline_access' || prompt.includes('consent')));
  if (!scopes.includes('openid')) throw new AuthorizationRedirectError('invalid_scope', 'this client may not use the openid scope');

  const codeChallenge = value('code_challenge');
  const method = value('code_challenge_method');
  if (codeChallenge === null) throw new AuthorizationRedirectError('invalid_request', 'code_challenge is required (PKCE with S256)');
  if (method !== 'S256') throw new AuthorizationRedirectError('invalid_request', 'code_challenge_method must be S256');
  if (!S256_CHALLENGE.test(codeChallenge)) throw new AuthorizationRedirectError('invalid_request', 'code_challenge is not a base64url SHA-256 digest');


  const maxAgeText = value('max_age');
  if (maxAgeText !== null && !/^\d{1,9}$/.test(maxAgeText)) throw new AuthorizationRedirectError('invalid_request', 'max_age must be a non-negative integer');

  const state = bounded(value('state'), MAX_STATE, 'state');
  const nonce = bounded(value('nonce'), MAX_NONCE, 'nonce');
  const loginHint = bounded(value('login_hint'), MAX_HINT, 'login_hint');
  const uiLocales = bounded(value('ui_locales'), MAX_LOCALES, 'ui_locales');
  const acrValues = bounded(value('acr_values'), MAX_LOCALES, 'acr_values');
  if (uiLocales !== null && !/^[A-Za-z0-9-]+( [A-Za-z0-9-]+)*$/.test(uiLocales)) throw new AuthorizationRedirectError('invalid_request', 'ui_locales must be language tags separated by spaces');

  return {
    stored: {
      clientId,
      clientRowId: client.id,
      clientName: client.name,
      logoUri: client.logoUri,
      redirectUri,
      state,
      nonce,
      codeChallenge,
      scopes,
      maxAge: maxAgeText === null ? null : Number(maxAgeText),
      prompt: prompt.filter((p) => p !== 'none'),
      uiLocales,
      acrValues,
    },
    loginHint,
    isPromptNone: prompt.includes('none'),
  };
}

/** The one value of `name`: null when absent, undefined when repeated (RFC 6749 §3.1: parameters must not repeat). */
function single(params: AuthorizationParams, name: string): string | null | undefined {
  const values = params.filter(([key]) => key === name);
  if (values.length > 1) return undefined;
  return values[0]?.[1] ?? null;
}

function bounded(value: string | null, max: number, name: string): string | null {
  if (value !== null && value.length > max) throw new AuthorizationRedirectError('invalid_request', `${name} is longer than ${max} characters`);
  // Control characters have no place in any of these, and would reach a log or a page.
  if (value !== null && hasControlCharacters(value)) throw new AuthorizationRedirectError('invalid_request', `${name} contains control characters`);
  return value;
}

/**
 * Where an authorization answer goes (RFC 6749 §4.1.2, RFC 9207): the redirect URI with `code` or
 * `error`, plus `state` when the request had one and `iss` always.
 */
export function authorizationResponseUrl(redirectUri: string, answer: Record<string, string>, state: string | null, issuer: string): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(answer)) url.searchParams.set(key, value);
  if (state !== null) url.searchParams.set('state', state);
  url.searchParams.set('iss', issuer);
  return url.toString();
}
