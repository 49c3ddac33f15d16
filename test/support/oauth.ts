import { App } from '../../src/app';
import { inContext } from './app';

/**
 * Registers an OAuth client for `customerId` with `scopes` (through the service, as the operator
 * would) and gets an access token for it from POST /oauth/token, as a partner's system would.
 */
export async function clientToken(app: App, customerId: string, scopes: string[]): Promise<{ token: string; clientId: string; clientSecret: string }> {
  const { client, clientSecret } = await inContext(app, () => app.services.oauthClients.createClient({ customerId, name: 'Test client', scopes }));
  const res = await fetch(`${app.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: clientSecret }).toString(),
  });
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { access_token: string };
  return { token: body.access_token, clientId: client.clientId, clientSecret };
}

/** Stores a profile as a postback would (sealed under the person's key); answers its id. */
export async function seedProfile(app: App, customerId: string, username: string, fields: Record<string, string>, now = new Date()): Promise<string> {
  return inContext(app, async () => {
    await app.services.profiles.recordFromPostback(customerId, username, fields, now);
    // The profile's id is fixed with the person's key (the row holds only the username's ciphertext and keyed hash).
    return (await app.services.keys.person(customerId, username, app.services.audit.subjectHash(customerId, username))).profileId;
  });
}
