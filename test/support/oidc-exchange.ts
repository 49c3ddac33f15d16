import { createLocalJWKSet, JWTPayload, jwtVerify } from 'jose';
import type { App } from '../../src/app';
import { clientAuth, postForm, TestCode, TestOidcClient } from './oidc';
import type { TokenEndpointAuthMethod } from '../../src/oauth';

/** The endpoints of customer `slug`'s issuer on a running test app. */
export function issuerOf(app: App, slug: string) {
  const issuer = `${app.config.PUBLIC_URL}/c/${slug}`;
  const at = (path: string) => `${app.url}/c/${slug}/oidc/${path}`;
  return { issuer, token: at('token'), userinfo: at('userinfo'), revoke: at('revoke'), introspect: at('introspect'), jwks: at('jwks') };
}

/** Exchanges `code` at the token endpoint as `client` (its registered method unless told), with its verifier and redirect URI. */
export async function exchangeCode(app: App, slug: string, client: TestOidcClient, code: TestCode, extra: Record<string, string | undefined> = {}, method?: TokenEndpointAuthMethod) {
  const auth = clientAuth(client, method ?? 'client_secret_basic');
  const form: Record<string, string> = { grant_type: 'authorization_code', code: code.code, redirect_uri: client.redirectUri, code_verifier: code.verifier, ...auth.form };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete form[key];
    else form[key] = value;
  }
  return postForm(issuerOf(app, slug).token, form, auth.headers);
}

/** Refreshes as `client` (client_secret_basic). */
export async function refreshTokens(app: App, slug: string, client: TestOidcClient, refreshToken: string, extra: Record<string, string> = {}) {
  const auth = clientAuth(client);
  return postForm(issuerOf(app, slug).token, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }, auth.headers);
}

export async function introspectToken(app: App, slug: string, client: TestOidcClient, token: string, hint?: string) {
  const auth = clientAuth(client);
  return (await postForm(issuerOf(app, slug).introspect, { token, ...(hint ? { token_type_hint: hint } : {}) }, auth.headers)).body;
}

/** Verifies an ID token against the customer's published JWKS, as an RP would. */
export async function verifyIdToken(app: App, slug: string, idToken: string, audience: string, now: Date): Promise<JWTPayload> {
  const { issuer, jwks } = issuerOf(app, slug);
  const keys = (await (await fetch(jwks)).json()) as Parameters<typeof createLocalJWKSet>[0];
  const { payload } = await jwtVerify(idToken, createLocalJWKSet(keys), { issuer, audience, currentDate: now });
  return payload;
}
