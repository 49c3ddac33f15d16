import * as client from 'openid-client';
import { App } from '../../src/app';
import type { OidcClientSettings } from '../../src/oidc-provider/clients/oidc-client.service';
import { PLATFORM } from '../../src/shared/tenant';
import { inContext } from './app';
import { Browser, consentForm, postback } from './flow';

export const REDIRECT_URI = 'https://rp.example.org/oidc/callback';

/** Registers a relying party for the customer, as the GraphQL mutation would; its client_id and secret (null for a public client). */
export async function registerRp(app: App, customerId: string, settings: Partial<OidcClientSettings> = {}) {
  const { client: row, clientSecret } = await inContext(app, () =>
    app.services.oidcClients.createClient(
      { customerId, name: 'Example RP', redirectUris: [REDIRECT_URI], scopes: ['openid', 'profile', 'email', 'offline_access'], ...settings },
      PLATFORM,
    ),
  );
  return { clientId: row.clientId, clientSecret, id: row.id };
}

/** The RP's openid-client configuration, by discovery of the customer's issuer (http allowed: tests run on loopback). */
export async function discoverRp(app: App, slug: string, rp: { clientId: string; clientSecret: string | null }): Promise<client.Configuration> {
  const auth = rp.clientSecret === null ? client.None() : client.ClientSecretBasic(rp.clientSecret);
  return client.discovery(new URL(`${app.config.PUBLIC_URL}/c/${slug}`), rp.clientId, rp.clientSecret ?? undefined, auth, { execute: [client.allowInsecureRequests] });
}

/** What the RP keeps between sending the person away and their return: PKCE verifier, nonce, state. */
export interface RpChecks {
  pkceCodeVerifier: string;
  expectedNonce: string;
  expectedState: string;
}

/** The RP's authorization URL for `scope`, with fresh PKCE, nonce and state, and the checks to verify the answer with. */
export async function authorizationUrl(config: client.Configuration, scope: string, extra: Record<string, string> = {}): Promise<{ url: URL; checks: RpChecks }> {
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const checks = { pkceCodeVerifier, expectedNonce: client.randomNonce(), expectedState: client.randomState() };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
    nonce: checks.expectedNonce,
    state: checks.expectedState,
    ...extra,
  });
  return { url, checks };
}

/**
 * A person's way through the delegated login for an authorization URL: our endpoint hands them to the
 * AW's Verify URL, the AW posts `fields` back, the browser returns and, when asked, allows sharing
 * `share` on the consent page. Answers where the browser is finally sent (the client's redirect URI).
 */
export async function signIn(
  app: App,
  slug: string,
  apiKey: string,
  url: URL,
  fields: Record<string, string>,
  options: { share?: string[]; decision?: 'allow' | 'deny'; browser?: Browser } = {},
): Promise<{ location: URL; verify: URL; consentShown: boolean; consentPage: string | null }> {
  const browser = options.browser ?? new Browser();
  const hop = await browser.get(url.toString());
  if (hop.status !== 302 || !hop.location) throw new Error(`expected the hand-off to the AW, got ${hop.status}: ${hop.body}`);
  const verify = new URL(hop.location);
  const requestId = verify.searchParams.get('request_id')!;
  const pb = await postback(app, slug, { request_id: requestId, api_key: apiKey, no_prompt: 'false', ...fields });
  if (pb.status !== 200) throw new Error(`postback answered ${pb.status}: ${pb.body}`);
  let answer = await browser.get(`${app.url}/c/${slug}/ows_return?request_id=${requestId}`);
  let consentPage: string | null = null;
  if (answer.status === 200) {
    consentPage = answer.body;
    const form = consentForm(answer.body);
    answer = await browser.postForm(`${app.url}/c/${slug}/ows_consent`, [
      ['auth_request', form.authRequest],
      ['csrf', form.csrf],
      ...(options.share ?? form.shares).map((s): [string, string] => ['share', s]),
      ['decision', options.decision ?? 'allow'],
    ]);
  }
  if (answer.status !== 302 || !answer.location) throw new Error(`expected the answer to the client, got ${answer.status}: ${answer.body}`);
  return { location: new URL(answer.location), verify, consentShown: consentPage !== null, consentPage };
}
