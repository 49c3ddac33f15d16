/**
 * Where a customer's OpenID Connect provider lives: its issuer is `{PUBLIC_URL}/c/{slug}` and every
 * endpoint hangs under it, so the region router sends them to the customer's region like the rest.
 */
export interface OidcEndpoints {
  issuer: string;
  discovery: string;
  authorization: string;
  token: string;
  userinfo: string;
  jwks: string;
  endSession: string;
  revocation: string;
  introspection: string;
}

/** The path of each endpoint under `/c/{slug}` (the routes mount these). */
export const OIDC_PATHS = {
  discovery: '/.well-known/openid-configuration',
  authorization: '/oidc/authorize',
  token: '/oidc/token',
  userinfo: '/oidc/userinfo',
  jwks: '/oidc/jwks',
  endSession: '/oidc/logout',
  revocation: '/oidc/revoke',
  introspection: '/oidc/introspect',
} as const;

export function oidcEndpoints(publicUrl: string, slug: string): OidcEndpoints {
  const issuer = `${publicUrl.replace(/\/$/, '')}/c/${slug}`;
  const at = (path: string) => `${issuer}${path}`;
  return {
    issuer,
    discovery: at(OIDC_PATHS.discovery),
    authorization: at(OIDC_PATHS.authorization),
    token: at(OIDC_PATHS.token),
    userinfo: at(OIDC_PATHS.userinfo),
    jwks: at(OIDC_PATHS.jwks),
    endSession: at(OIDC_PATHS.endSession),
    revocation: at(OIDC_PATHS.revocation),
    introspection: at(OIDC_PATHS.introspection),
  };
}
