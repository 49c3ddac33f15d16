import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Redis } from 'ioredis';
import Provider, { type Configuration } from 'oidc-provider';
import { OIDC_CLIENT_ID, OIDC_REDIRECT_URI } from './oidc-flow';
import { RedisAdapter } from './oidc-redis-adapter';

/**
 * The alternative under test: oidc-provider configured as its documentation shows, with one
 * confidential client, PKCE required, signed cookies, a Redis adapter, and a login app that
 * completes login and consent through the interaction API as an external login app would (it
 * knows the user already, as the AW does in our flow, so it answers without showing a form).
 *
 * Run as its own process by bench/run.ts: `node dist/bench/oidc-server.js <port>`, with REDIS_URL,
 * BENCH_OIDC_PREFIX, BENCH_OIDC_CLIENT_SECRET in the environment. Prints "listening" when ready.
 */

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: process.env.BENCH_OIDC_PREFIX ?? 'bench-oidc:' });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  const configuration: Configuration = {
    adapter: (name: string) => new RedisAdapter(name, redis),
    clients: [
      {
        client_id: OIDC_CLIENT_ID,
        client_secret: process.env.BENCH_OIDC_CLIENT_SECRET ?? '',
        redirect_uris: [OIDC_REDIRECT_URI],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // RS256, the default ID token algorithm, with a key of our own rather than the dev-only one.
    jwks: { keys: [{ ...(privateKey.export({ format: 'jwk' }) as Record<string, string>), kid: 'bench', use: 'sig', alg: 'RS256' }] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'nickname'] },
    findAccount: (_ctx, accountId) => ({
      accountId,
      claims: () => ({ sub: accountId, email: `${accountId}@example.com`, email_verified: true, name: `Bench ${accountId}`, nickname: accountId }),
    }),
  };
  const provider = new Provider(`http://127.0.0.1:${port}`, configuration);
  const callback = provider.callback();

  /** The login app: login as the user named by the interaction's login_hint, then grant what is asked. */
  const interaction = async (req: IncomingMessage, res: ServerResponse) => {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      const accountId = String(details.params.login_hint ?? 'user0');
      await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
      return;
    }
    // consent, per the documentation's example: reuse or create the grant, add what is missing.
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
    if (!grant) throw new Error('grant not found');
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
  };

  const server = createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interaction(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(err instanceof Error ? err.message : String(err));
      });
      return;
    }
    void callback(req, res);
  });
  server.keepAliveTimeout = 60000;
  server.listen(port, '127.0.0.1', () => process.stdout.write('listening\n'));
  const stop = () => server.close(() => redis.quit().finally(() => process.exit(0)));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
