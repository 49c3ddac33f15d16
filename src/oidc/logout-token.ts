import type { JWTPayload } from 'jose';

/** The `typ` header of a logout token (Back-Channel Logout 1.0 §2.4), so it is never taken for an ID token. */
export const LOGOUT_TOKEN_TYPE = 'logout+jwt';

/** The one event a logout token carries (§2.4). Part of the wire format: must never change. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** §2.4 recommends a short lifetime; receivers check `exp`. */
export const LOGOUT_TOKEN_TTL_SECONDS = 120;

export interface LogoutTokenInput {
  issuer: string;
  /** The client's `client_id`: the token's audience. */
  clientId: string;
  /** The person signed out (the AW username). */
  subject: string;
  /** Unique per notification; the same on every delivery attempt of it, so a receiver can drop repeats. */
  jti: string;
  now: Date;
}

/**
 * The claims of a logout token (§2.4): iss, aud, iat, exp, jti, sub and the back-channel logout
 * event; no `sid` (we hold no session: the AW does) and never a `nonce` (§2.4 forbids it).
 */
export function logoutTokenClaims(input: LogoutTokenInput): JWTPayload {
  const iat = Math.floor(input.now.getTime() / 1000);
  return {
    iss: input.issuer,
    aud: input.clientId,
    iat,
    exp: iat + LOGOUT_TOKEN_TTL_SECONDS,
    jti: input.jti,
    sub: input.subject,
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  };
}
