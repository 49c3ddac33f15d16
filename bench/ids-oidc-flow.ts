import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { graphqlRequest } from './graphql';
import { CookieJar, HttpClient, redirectTarget } from './http-client';

/**
 * Our OpenID Connect sign-in (issue 19) as one driver plays it: RP (authorization request, code
 * exchange, ID token check), browser (redirects, the hand-off cookie) and AW (server-to-server
 * postback), over the same keep-alive client as the OpenID 2.0 rows (openid-flow.ts):
 *
 *   RP → GET /c/{slug}/oidc/authorize (code, PKCE S256, nonce, state) → 302 Verify URL (the AW: not fetched)
 *   AW → POST /c/{slug}/ows_auth (postback, API key, no_prompt=true) → 200 OK
 *   browser → GET /c/{slug}/ows_return (hand-off cookie) → 302 redirect_uri?code&state&iss
 *   RP → POST /c/{slug}/oidc/token (authorization_code, code_verifier, client_secret_basic) → 200 id_token, access_token
 *   RP → verifies the ID token (signature against the JWKS fetched once, iss, aud, nonce, sub) here, on the driver's core
 */

/** A redirect URI is never fetched: the driver reads the code off the Location header. */
export const IDS_OIDC_REDIRECT_URI = 'https://rp.example.org/oidc/callback';
const SCOPE = 'openid email';
/** Usernames cycle through a fixed pool (as openid-flow.ts), so profiles are updated rather than piling up. */
const USER_POOL = 1000;

export interface IdsOidcTarget {
  client: HttpClient;
  baseUrl: string;
  slug: string;
  apiKey: string;
  rp: IdsOidcClient;
}

export interface IdsOidcClient {
  clientId: string;
  clientSecret: string;
}

/** Registers the bench's relying party for the customer through the API, as an operator does (client_secret_basic, ES256). */
export async function registerOidcClient(client: HttpClient, baseUrl: string, adminToken: string, customerId: string): Promise<IdsOidcClient> {
  const data = await graphqlRequest<{ createOidcClient: { clientId: string; clientSecret: string | null } }>(
    client,
    baseUrl,
    adminToken,
    `mutation Register($input: CreateOidcClientInput!) { createOidcClient(input: $input) { clientId clientSecret } }`,
    { input: { customerId, name: 'Bench RP', redirectUris: [IDS_OIDC_REDIRECT_URI], scopes: ['openid', 'email', 'profile'] } },
  );
  const { clientId, clientSecret } = data.createOidcClient;
  if (!clientSecret) throw new Error('createOidcClient issued no client secret');
  return { clientId, clientSecret };
}

/** Fetches the customer's JWKS once (its first read makes the signing keys) and returns one flow. */
export async function idsOidcFlow(target: IdsOidcTarget): Promise<() => Promise<void>> {
  const issuer = `${target.baseUrl}/c/${target.slug}`;
  const jwksRes = await target.client.request(`${issuer}/oidc/jwks`);
  if (jwksRes.status !== 200) throw new Error(`jwks: ${jwksRes.status} ${jwksRes.body.slice(0, 200)}`);
  const jwks = createLocalJWKSet(JSON.parse(jwksRes.body) as JSONWebKeySet);
  const { clientId, clientSecret } = target.rp;
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
  let flows = 0;

  return async () => {
    const n = flows++;
    const username = `user${n % USER_POOL}`;
    const jar = new CookieJar();
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(12).toString('base64url');
    const nonce = randomBytes(12).toString('base64url');
    const authorize = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      scope: SCOPE,
      redirect_uri: IDS_OIDC_REDIRECT_URI,
      state,
      nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const verifyUrl = new URL(redirectTarget(await target.client.request(`${issuer}/oidc/authorize?${authorize}`, { jar }), 'authorize'));
    const requestId = verifyUrl.searchParams.get('request_id');
    if (!requestId) throw new Error('Verify URL without request_id');

    const postback = await target.client.request(`${issuer}/ows_auth`, {
      method: 'POST',
      form: { request_id: requestId, api_key: target.apiKey, username, no_prompt: 'true', sreg_email: `${username}@example.com` },
    });
    if (postback.status !== 200) throw new Error(`postback: ${postback.status} ${postback.body.slice(0, 200)}`);

    const location = redirectTarget(await target.client.request(`${issuer}/ows_return?request_id=${requestId}`, { jar }), 'return');
    const code = checkCallback(location, state, issuer);

    const token = await target.client.request(`${issuer}/oidc/token`, {
      method: 'POST',
      headers: { authorization: basic },
      form: { grant_type: 'authorization_code', code, redirect_uri: IDS_OIDC_REDIRECT_URI, code_verifier: verifier },
    });
    if (token.status !== 200) throw new Error(`token: ${token.status} ${token.body.slice(0, 200)}`);
    const body = JSON.parse(token.body) as { access_token?: string; id_token?: string; token_type?: string };
    if (!body.access_token || !body.id_token) throw new Error(`token response without tokens: ${token.body.slice(0, 200)}`);
    const { payload } = await jwtVerify(body.id_token, jwks, { issuer, audience: clientId, algorithms: ['ES256'] });
    if (payload.nonce !== nonce) throw new Error('ID token with another nonce');
    if (payload.sub !== username) throw new Error('ID token names another user');
  };
}

/** The RP's checks of the authorization response (Core §3.1.2.5, RFC 9207): our redirect URI, its state, our issuer; the code. */
function checkCallback(location: string, state: string, issuer: string): string {
  if (!location.startsWith(`${IDS_OIDC_REDIRECT_URI}?`)) throw new Error(`answer went elsewhere: ${location.slice(0, 120)}`);
  const params = new URL(location).searchParams;
  const code = params.get('code');
  if (!code) throw new Error(`answer without code: ${location.slice(0, 200)}`);
  if (params.get('state') !== state) throw new Error('answer with another state');
  if (params.get('iss') !== issuer) throw new Error(`answer from another issuer: ${params.get('iss')}`);
  return code;
}
