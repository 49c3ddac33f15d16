import { hasControlCharacters } from '../shared/url';

/** The parameters of a logout request, as sent (query or form), in order. */
export type LogoutParams = ReadonlyArray<readonly [string, string]>;

/**
 * Why a logout request is refused. Every refusal is a page for the person: the post-logout
 * redirect URI is used only once it is known to be registered for a client the request proved.
 */
export type LogoutRefusal =
  | 'REPEATED_PARAMETER'
  | 'INVALID_PARAMETER'
  | 'UNKNOWN_CLIENT'
  | 'INVALID_ID_TOKEN_HINT'
  | 'CLIENT_MISMATCH'
  | 'POST_LOGOUT_REDIRECT_WITHOUT_CLIENT'
  | 'UNREGISTERED_POST_LOGOUT_REDIRECT_URI';

export class LogoutRefusedError extends Error {
  constructor(readonly refusal: LogoutRefusal) {
    super(refusal);
  }
}

/** A logout request's parameters (RP-Initiated Logout 1.0 §2), each present at most once. `logout_hint` is ignored. */
export interface LogoutRequest {
  idTokenHint: string | null;
  clientId: string | null;
  postLogoutRedirectUri: string | null;
  state: string | null;
  uiLocales: string | null;
}

/** Bounds on what the client may send: an ID token of ours is a few hundred bytes. */
const MAX_HINT = 8192;
const MAX_STATE = 2048;
const MAX_VALUE = 2048;

/** Reads the request's parameters; a repeated, overlong or control-character value is refused. */
export function parseLogoutRequest(params: LogoutParams): LogoutRequest {
  const value = (name: string, max: number): string | null => {
    const values = params.filter(([key]) => key === name);
    if (values.length > 1) throw new LogoutRefusedError('REPEATED_PARAMETER');
    const found = values[0]?.[1] ?? '';
    if (found === '') return null;
    if (found.length > max || hasControlCharacters(found)) throw new LogoutRefusedError('INVALID_PARAMETER');
    return found;
  };
  return {
    idTokenHint: value('id_token_hint', MAX_HINT),
    clientId: value('client_id', MAX_VALUE),
    postLogoutRedirectUri: value('post_logout_redirect_uri', MAX_VALUE),
    state: value('state', MAX_STATE),
    uiLocales: value('ui_locales', MAX_VALUE),
  };
}

/** The claims of a verified `id_token_hint` the logout acts on. */
export interface HintClaims {
  /** The person (the AW username). */
  sub: string;
  /** The client the ID token was issued to. */
  clientId: string;
}

/**
 * The person and client an `id_token_hint` names, from claims whose signature and issuer were
 * verified (expiry ignored, §2: the RP may hold an expired one). Refused when they do not read as
 * one of our ID tokens: a logout token (it carries `events`, Back-Channel Logout 1.0 §2.4 warns they
 * must never pass as ID tokens), no `sub`, or an audience that names no one client. A `client_id`
 * parameter must be that client (§2: "the OP ... MUST verify that it matches").
 */
export function hintClaims(payload: Record<string, unknown>, clientIdParam: string | null): HintClaims {
  if ('events' in payload || typeof payload.sub !== 'string' || payload.sub === '') throw new LogoutRefusedError('INVALID_ID_TOKEN_HINT');
  const aud = payload.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) && aud.every((a) => typeof a === 'string') ? (aud as string[]) : [];
  // Core §2: with several audiences, azp names the client it was issued to.
  const clientId = audiences.length === 1 ? audiences[0]! : typeof payload.azp === 'string' && audiences.includes(payload.azp) ? payload.azp : null;
  if (clientId === null) throw new LogoutRefusedError('INVALID_ID_TOKEN_HINT');
  if (clientIdParam !== null && clientIdParam !== clientId) throw new LogoutRefusedError('CLIENT_MISMATCH');
  return { sub: payload.sub, clientId };
}

/**
 * The post-logout redirect URI to use, checked against the client the request proved: it must be
 * one of the client's registered ones exactly (§3, no pattern or prefix). Without a client there is
 * nothing to check it against, so it cannot be used.
 */
export function checkPostLogoutRedirect(request: LogoutRequest, client: { postLogoutRedirectUris: readonly string[] } | null): string | null {
  const uri = request.postLogoutRedirectUri;
  if (uri === null) return null;
  if (client === null) throw new LogoutRefusedError('POST_LOGOUT_REDIRECT_WITHOUT_CLIENT');
  if (!client.postLogoutRedirectUris.includes(uri)) throw new LogoutRefusedError('UNREGISTERED_POST_LOGOUT_REDIRECT_URI');
  return uri;
}

/** §3: the registered URI with `state` when the request had one. */
export function postLogoutRedirectUrl(uri: string, state: string | null): string {
  const url = new URL(uri);
  if (state !== null) url.searchParams.set('state', state);
  return url.toString();
}
