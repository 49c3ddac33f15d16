import { createHash, randomBytes } from 'node:crypto';
import { CookieJar, HttpClient, redirectTarget } from './http-client';

/**
 * oidc-provider's authorization-code flow as one driver plays it (RP, browser and login app's
 * user), each flow with its own cookie jar:
 *
 *   GET /auth (PKCE S256) → 303 /interaction/:uid → login app finishes login → 303 /auth/:uid
 *   → 303 /interaction/:uid → login app grants consent → 303 /auth/:uid → 303 redirect_uri?code
 *   → POST /token (client_secret_basic, code_verifier) → access_token and id_token
 */

export const OIDC_CLIENT_ID = 'bench-rp';
export const OIDC_REDIRECT_URI = 'http://rp.example.org/cb';
const USER_POOL = 1000;

export function oidcFlow(client: HttpClient, baseUrl: string, clientSecret: string): () => Promise<void> {
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(OIDC_CLIENT_ID)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
  let flows = 0;
  return async () => {
    const n = flows++;
    const jar = new CookieJar();
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(12).toString('base64url');
    const authorize = new URLSearchParams({
      client_id: OIDC_CLIENT_ID,
      response_type: 'code',
      scope: 'openid email profile',
      redirect_uri: OIDC_REDIRECT_URI,
      state,
      nonce: randomBytes(12).toString('base64url'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      login_hint: `user${n % USER_POOL}`,
    });
    let location = redirectTarget(await client.request(`${baseUrl}/auth?${authorize}`, { jar }), 'authorize');
    // Follow the browser's redirects until the callback: interaction, resume, interaction, resume.
    for (let hop = 0; hop < 6 && !location.startsWith(OIDC_REDIRECT_URI); hop += 1) {
      location = redirectTarget(await client.request(new URL(location, baseUrl).toString(), { jar }), `hop ${hop}`);
    }
    const callback = new URL(location);
    const code = callback.searchParams.get('code');
    if (!code || callback.searchParams.get('state') !== state) throw new Error(`callback without code: ${location.slice(0, 200)}`);
    const token = await client.request(`${baseUrl}/token`, {
      method: 'POST',
      headers: { authorization: basic },
      form: { grant_type: 'authorization_code', code, redirect_uri: OIDC_REDIRECT_URI, code_verifier: verifier },
    });
    const body = JSON.parse(token.body) as { access_token?: string; id_token?: string };
    if (token.status !== 200 || !body.access_token || !body.id_token) throw new Error(`token: ${token.status} ${token.body.slice(0, 200)}`);
  };
}
