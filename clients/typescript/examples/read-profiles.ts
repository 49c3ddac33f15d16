/**
 * Sample integrator script: reads a customer's profiles with a field-scoped token.
 *
 *   node read-profiles.js <service URL> <client id> <client secret>
 *
 * 1. Gets an access token at POST /oauth/token (client credentials), asking only for
 *    `profiles:read profile.email`: the least the job needs, even if the client may have more.
 * 2. Pages through the profiles with a document that also selects `fullname`: without
 *    `profile.fullname` the service answers FORBIDDEN at each `fullname` and still sends the rest,
 *    which the typed errors make visible field by field.
 * 3. Tries a mutation it has no scope for, to show it is refused and nothing changes.
 *
 * In your own code, import from '@identity-services/client' instead of '../src'.
 */
import { createClient, GraphqlRequestError, ProfileContactsDocument, UpdateProfileDocument, type GraphqlResult, type ProfileContactsQuery } from '../src';

type Log = (line: string) => void;

/** Client credentials grant (RFC 6749 §4.4) with client_secret_basic. */
export async function getToken(baseUrl: string, clientId: string, clientSecret: string, scope: string): Promise<{ token: string; scope: string }> {
  const res = await fetch(new URL('/oauth/token', baseUrl), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
  });
  const body = (await res.json()) as { access_token?: string; scope?: string; error?: string; error_description?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`token endpoint: ${body.error ?? res.status} ${body.error_description ?? ''}`.trim());
  return { token: body.access_token, scope: body.scope ?? scope };
}

export async function readProfiles(baseUrl: string, clientId: string, clientSecret: string, log: Log): Promise<void> {
  const { token, scope } = await getToken(baseUrl, clientId, clientSecret, 'profiles:read profile.email');
  log(`token scope: ${scope}`);
  const client = createClient({ url: new URL('/graphql', baseUrl).toString(), token });

  const withheld = new Map<string, Set<string>>(); // field -> scopes it needs
  let after: string | null = null;
  let count = 0;
  let firstId: string | null = null;
  do {
    const { data, errors }: GraphqlResult<ProfileContactsQuery> = await client.execute(ProfileContactsDocument, { first: 2, after });
    for (const error of errors) {
      // FORBIDDEN at a field path: that value is null, the rest of the page is fine.
      if (error.code === 'FORBIDDEN' && error.path.length > 1) {
        const field = String(error.path.at(-1));
        const scopes = withheld.get(field) ?? new Set<string>();
        for (const s of error.missingScopes) scopes.add(s);
        withheld.set(field, scopes);
        continue;
      }
      throw new GraphqlRequestError(errors, data, 200); // anything else is a real failure
    }
    if (!data) break;
    for (const p of data.profiles.nodes) {
      count++;
      firstId ??= p.id;
      log(`profile ${p.username ?? p.id} email=${p.email ?? '-'} fullname=${p.fullname ?? '(withheld)'}`);
    }
    after = data.profiles.pageInfo.hasNextPage ? data.profiles.pageInfo.endCursor : null;
  } while (after !== null);
  log(`${count} profile(s) read`);
  for (const [field, scopes] of withheld) log(`withheld: ${field} (FORBIDDEN, needs ${[...scopes].join(' ')})`);

  // A read-only token must not change anything: the service refuses, and the SDK says why.
  if (firstId !== null) {
    const write = await client.execute(UpdateProfileDocument, { id: firstId, input: { nickname: 'changed-by-example' } });
    const refusal = write.errors.find((e) => e.path[0] === 'updateProfile');
    log(refusal ? `updateProfile refused: ${refusal.code}${refusal.code === 'FORBIDDEN' ? ` (needs ${refusal.missingScopes.join(' ')})` : ''}` : 'updateProfile was NOT refused');
  }
}

if (require.main === module) {
  const [url, clientId, clientSecret] = process.argv.slice(2);
  if (!url || !clientId || !clientSecret) {
    console.error('usage: read-profiles <service URL> <client id> <client secret>');
    process.exit(2);
  }
  readProfiles(url, clientId, clientSecret, (line) => console.log(line)).catch((err: unknown) => {
    console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
    process.exit(1);
  });
}
