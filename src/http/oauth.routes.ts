import { Request, Response, Router } from 'express';
import { readTokenForm } from './token-form';
import { InvalidRequestError, OAuthError, OAuthLoginCodeService, OAuthTokenService, readClientCredentials, UnsupportedGrantTypeError } from '../oauth';
import { Database, NOBODY } from '../db/scope';
import { runAs, SYSTEM_ACTOR } from '../audit/actor';
import { AbuseGuard, sendTooManyRequests } from './abuse';
import { oauthErrorAnswer } from './oauth-answers';
import type { TokenGrantMetrics } from '../observability/metrics';

/** The services of the region a client lives in (issue 18): its customer's database answers for it. */
export interface OAuthRegion {
  tokens: OAuthTokenService;
  loginCodes: OAuthLoginCodeService;
  db: Database;
}

/** Finds the region of the client a request names; the home region for an unknown or missing one (which then refuses it). */
export type OAuthRegionOf = (clientId: string | null) => Promise<OAuthRegion>;

/** Abuse limits of the OAuth endpoints: token requests per client, and lockouts after wrong client credentials. */
export interface OAuthLimits {
  guard: AbuseGuard;
  tokenPerClient: number;
  /** Counts the token endpoint's answers by grant type and result. */
  grants?: TokenGrantMetrics;
}

const KNOWN_PARAMETERS = new Set(['grant_type', 'scope', 'code', 'client_id', 'client_secret', 'token', 'token_type_hint', 'redirect_uri']);

/**
 * OAuth 2.0 endpoints: token (RFC 6749 §3.2: client credentials, and authorization code for login codes), revocation (RFC 7009) and
 * introspection (RFC 7662). Thin: parse the form, authenticate through the service, write JSON.
 */
export function oauthRoutes(regionOf: OAuthRegionOf, limits: OAuthLimits): Router {
  const router = Router();
  const handle = (req: Request, res: Response, fn: (params: Map<string, string>, region: OAuthRegion) => Promise<Answer>, perClient?: number, grants?: TokenGrantMetrics) =>
    answer(req, res, regionOf, limits.guard, fn, perClient, grants);

  router.post('/oauth/token', (req, res) =>
    handle(req, res, async (params, { tokens, loginCodes }) => {
      const grantType = params.get('grant_type');
      if (grantType === undefined) throw new InvalidRequestError('grant_type is required');
      if (grantType === 'authorization_code') {
        const client = readClientCredentials(req.headers.authorization, params);
        const code = params.get('code');
        if (!code) throw new InvalidRequestError('code is required');
        return [200, await loginCodes.exchange(client, code)];
      }
      if (grantType !== 'client_credentials') throw new UnsupportedGrantTypeError('only client_credentials and authorization_code are supported');
      const client = readClientCredentials(req.headers.authorization, params);
      return [200, await tokens.issueClientCredentials(client, params.get('scope'))];
    }, limits.tokenPerClient, limits.grants),
  );

  router.post('/oauth/revoke', (req, res) =>
    handle(req, res, async (params, { tokens }) => {
      const client = readClientCredentials(req.headers.authorization, params);
      const token = params.get('token');
      if (!token) throw new InvalidRequestError('token is required');
      await tokens.revoke(client, token);
      // RFC 7009 §2.2: 200 whether or not the token was known; the body is ignored by clients.
      return [200, {}];
    }),
  );

  router.post('/oauth/introspect', (req, res) =>
    handle(req, res, async (params, { tokens }) => {
      const client = readClientCredentials(req.headers.authorization, params);
      const token = params.get('token');
      if (!token) throw new InvalidRequestError('token is required');
      return [200, await tokens.introspect(client, token)];
    }),
  );

  return router;
}

/** What an endpoint answers; `failure` keeps the code of an OAuth error the body was made from. */
type Answer = readonly [status: number, body: object, headers?: Record<string, string>, failure?: OAuthError['code']];

/**
 * Reads the form (before taking a database connection, so a slow client holds none), then runs `fn`
 * in one transaction that sees nobody's rows until the client is authenticated, which enters the
 * client's customer (OAuthTokenService.authenticateClient). OAuth errors become RFC 6749 §5.2 answers here,
 * by the one table in oauth-answers.ts; an error answer still commits what was meant to last (a replayed login
 * code revokes its token). The response is written after the commit.
 */
async function answer(
  req: Request,
  res: Response,
  regionOf: OAuthRegionOf,
  guard: AbuseGuard,
  fn: (params: Map<string, string>, region: OAuthRegion) => Promise<Answer>,
  perClient?: number,
  grants?: TokenGrantMetrics,
): Promise<void> {
  const address = guard.address(req);
  const locked = await guard.lockedOut('oauth', null, address);
  if (locked > 0) return sendTooManyRequests(res, locked);
  let wait = 0;
  let grantType: string | undefined;
  const [status, body, headers = {}, failure] = await asAnswer(async () => {
    const params = await readTokenForm(req, KNOWN_PARAMETERS);
    grantType = params.get('grant_type');
    const clientId = clientIdOf(req.headers.authorization, params);
    if (perClient !== undefined && clientId) wait = await guard.hit('oauth_token', clientId, perClient);
    if (wait > 0) return [429, {}];
    const region = await regionOf(clientId);
    return runAs(SYSTEM_ACTOR, () => region.db.run(NOBODY, () => asAnswer(() => fn(params, region))));
  });
  if (wait > 0) return sendTooManyRequests(res, wait);
  grants?.answered(grantType, status, (body as { error?: unknown }).error);
  if (failure === 'INVALID_CLIENT') await guard.failed('oauth', null, address);
  res.set(headers);
  sendJson(res, status, body);
}

async function asAnswer(fn: () => Promise<Answer>): Promise<Answer> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    return [...oauthErrorAnswer(err), err.code];
  }
}

/** The client a request names (Basic user or client_id), only to count its requests: nothing is authenticated here. */
function clientIdOf(authorization: string | undefined, params: Map<string, string>): string | null {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return decoded.slice(0, colon).slice(0, 200);
  }
  return params.get('client_id')?.slice(0, 200) ?? null;
}

/** RFC 6749 §5.1: token responses (and their errors) must not be cached. */
function sendJson(res: Response, status: number, body: object): void {
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  res.status(status).json(body);
}
