/**
 * An authorization request as the flow stores it (`auth_request.openid_request -> 'oidc'`, copied
 * into `oidc_code.request` by the completion step): what the token endpoint must check the code's
 * redemption against, and what the answer needs. Holds nothing about the person: `login_hint`
 * is only passed on to the AW.
 */
export interface StoredAuthorization {
  /** The public client_id. */
  clientId: string;
  /** oauth_client.id of that client. */
  clientRowId: string;
  /** The client's registered name and logo as the request began: the consent page names the client by them. */
  clientName: string;
  logoUri: string | null;
  /** Exactly as sent and registered. */
  redirectUri: string;
  state: string | null;
  nonce: string | null;
  /** PKCE, S256 only (RFC 7636 §4.2). */
  codeChallenge: string;
  /** The OpenID Connect scopes asked for that the client may have, `openid` first. */
  scopes: string[];
  /** `max_age` in seconds: the ID token then carries `auth_time`. */
  maxAge: number | null;
  /** `prompt` values other than none (login, consent). */
  prompt: string[];
  uiLocales: string | null;
  acrValues: string | null;
}
