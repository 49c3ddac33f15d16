import { Request, Response, Router } from 'express';
import { decodeJwt } from 'jose';
import { InvalidRequestError, OAuthError } from '../oauth';
import { ClientRequest, InvalidTokenError, MissingTokenError, OidcError, OidcTokenService } from '../oidc-provider';
import { Database } from '../db/scope';
import { runAs, SYSTEM_ACTOR } from '../audit/actor';
import { AbuseGuard, sendTooManyRequests } from './abuse';
import { oidcErrorAnswer, WireAnswer, withBearerChallenge } from './oidc-answers';
import { readTokenForm } from './token-form';
import type { TokenGrantMetrics } from '../observability/metrics';

export interface OidcTokenRouteDeps {
  service: OidcTokenService;
  db: Database;
  guard: AbuseGuard;
  /** Token requests per client per window (RATE_LIMIT_TOKEN_PER_CLIENT). */
  tokenPerClient: number;
  /** Counts the token endpoint's answers by grant type and result. */
  grants?: TokenGrantMetrics;
}

const KNOWN_PARAMETERS = new Set([
  'grant_type', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'scope', 'client_id', 'client_secret',
  'client_assertion_type', 'client_assertion', 'token', 'token_type_hint', 'access_token',
]);

/** Lockouts after wrong client credentials count per customer: `oidc` of that slug. */
const ENDPOINT = 'oidc';

/**
 * The OpenID Connect token (OIDC Core §3.1.3), revocation (RFC 7009), introspection (RFC 7662) and
 * UserInfo (§5.3) endpoints under the issuer `/c/{slug}`. Thin: read the form, run one service
 * method in one transaction of the slug's customer, map errors by the one table (oidc-answers.ts).
 * An error answer still commits what was meant to last (a replayed code revokes its grant).
 */
export function oidcTokenRoutes(deps: OidcTokenRouteDeps): Router {
  const router = Router();
  const clientCall = (req: Request, res: Response, fn: (slug: string, request: ClientRequest) => Promise<WireAnswer>, perClient?: number) =>
    answerClient(deps, req, res, fn, perClient);

  router.post('/c/:slug/oidc/token', (req, res) =>
    answerClient(deps, req, res, async (slug, request) => [200, await deps.service.token(slug, request)], deps.tokenPerClient, isCodeExchange, deps.grants),
  );
  router.post('/c/:slug/oidc/revoke', (req, res) =>
    clientCall(req, res, async (slug, request) => {
      await deps.service.revoke(slug, request);
      // RFC 7009 §2.2: 200 whether or not the token was known.
      return [200, {}];
    }),
  );
  router.post('/c/:slug/oidc/introspect', (req, res) => clientCall(req, res, async (slug, request) => [200, await deps.service.introspect(slug, request)]));

  router.options('/c/:slug/oidc/userinfo', (_req, res) => {
    res.set({ ...CORS, 'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Allow-Headers': 'Authorization, Content-Type', 'Access-Control-Max-Age': '600' });
    res.status(204).end();
  });
  const userinfo = async (req: Request, res: Response) => {
    const slug = String(req.params.slug);
    const [status, body, headers = {}] = withBearerChallenge(await asAnswer(async () => {
      const token = await bearerOf(req);
      return [200, await runAs(SYSTEM_ACTOR, () => deps.db.forSlug(slug, () => deps.service.userinfo(slug, token)))];
    }));
    res.set({ ...headers, ...CORS });
    sendJson(res, status, body);
  };
  router.get('/c/:slug/oidc/userinfo', userinfo);
  router.post('/c/:slug/oidc/userinfo', userinfo);
  return router;
}

/** `grant_type=authorization_code` runs its own statements (oidc-provider/code-exchange.ts), outside the request's transaction. */
function isCodeExchange(params: ReadonlyMap<string, string>): boolean {
  return params.get('grant_type') === 'authorization_code';
}

/** UserInfo is read by browser RPs too: any origin may read the JSON (the bearer token is the credential, never a cookie). */
const CORS = { 'Access-Control-Allow-Origin': '*' };

async function answerClient(
  deps: OidcTokenRouteDeps,
  req: Request,
  res: Response,
  fn: (slug: string, request: ClientRequest) => Promise<WireAnswer>,
  perClient?: number,
  ownTransactions?: (params: ReadonlyMap<string, string>) => boolean,
  grants?: TokenGrantMetrics,
): Promise<void> {
  const slug = String(req.params.slug);
  const address = deps.guard.address(req);
  const locked = await deps.guard.lockedOut(ENDPOINT, slug, address);
  if (locked > 0) return sendTooManyRequests(res, locked);
  let wait = 0;
  let failure: string | undefined;
  let grantType: string | undefined;
  const [status, body, headers = {}] = await asAnswer(async () => {
    const params = await readTokenForm(req, KNOWN_PARAMETERS);
    grantType = params.get('grant_type');
    const clientId = params.get('client_id') ?? basicUser(req.headers.authorization) ?? assertionIssuer(params.get('client_assertion'));
    // Counted before authentication, so per client and address: nobody can spend a client's whole quota for its other users.
    if (perClient !== undefined && clientId) wait = await deps.guard.hit('oidc_token', `${slug}:${clientId.slice(0, 200)}:${address}`, perClient);
    if (wait > 0) return [429, {}];
    const call = () => asAnswer(() => fn(slug, { authorization: req.headers.authorization, params }), (code) => (failure = code));
    // The code exchange is two SQL function calls of its own (each its own transaction, in its customer's scope): no ORM transaction around it.
    if (ownTransactions?.(params)) return runAs(SYSTEM_ACTOR, call);
    return runAs(SYSTEM_ACTOR, () => deps.db.forSlug(slug, call));
  });
  if (wait > 0) return sendTooManyRequests(res, wait);
  grants?.answered(grantType, status, (body as { error?: unknown }).error);
  if (failure === 'INVALID_CLIENT') await deps.guard.failed(ENDPOINT, slug, address);
  res.set(headers);
  sendJson(res, status, body);
}

async function asAnswer(fn: () => Promise<WireAnswer>, onFailure?: (code: string) => void): Promise<WireAnswer> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof OAuthError) && !(err instanceof OidcError)) throw err;
    onFailure?.(err.code);
    return oidcErrorAnswer(err);
  }
}

/**
 * The bearer token of a UserInfo request (RFC 6750): the Authorization header, or for POST the
 * `access_token` form parameter (§2.2), exactly one of them; never the query string (§2.3, which
 * would leave it in logs and histories).
 */
async function bearerOf(req: Request): Promise<string> {
  if (typeof req.query.access_token === 'string') throw new InvalidRequestError('send the access token in the Authorization header, not the URL');
  const header = req.headers.authorization;
  const fromHeader = header !== undefined ? /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim())?.[1] : undefined;
  if (header !== undefined && fromHeader === undefined) throw new InvalidTokenError('the Authorization header is not a Bearer token');
  const hasForm = req.method === 'POST' && /^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '');
  const fromForm = hasForm ? (await readTokenForm(req, KNOWN_PARAMETERS)).get('access_token') : undefined;
  if (fromHeader !== undefined && fromForm !== undefined) throw new InvalidRequestError('send the access token one way only');
  const token = fromHeader ?? fromForm;
  if (!token) throw new MissingTokenError();
  return token;
}

/** The client a `private_key_jwt` request names without `client_id`, only to count its requests: nothing is verified here. */
function assertionIssuer(assertion: string | undefined): string | null {
  if (!assertion) return null;
  try {
    const iss = decodeJwt(assertion).iss;
    return typeof iss === 'string' ? iss : null;
  } catch {
    return null;
  }
}

function basicUser(authorization: string | undefined): string | null {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!basic) return null;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? decoded.slice(0, colon) : null;
}

/** RFC 6749 §5.1 and OIDC Core §5.3.2: never cached. */
function sendJson(res: Response, status: number, body: object): void {
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  res.status(status).json(body);
}
