import { Request, Response, Router } from 'express';
import { MalformedFormError, parseFormStrict } from '../http/form';
import { readClientCredentials } from './client-authentication';
import { InvalidClientError, InvalidRequestError, OAuthError, UnsupportedGrantTypeError } from './oauth.errors';
import { OAuthTokenService } from './token.service';
import { OAuthLoginCodeService } from './login-code.service';
import { Database, lookupScope } from '../db/scope';
import { runAs, SYSTEM_ACTOR } from '../audit/actor';

/** Token, revocation and introspection requests are a few short parameters. */
const BODY_LIMIT = 16 * 1024;

/**
 * OAuth 2.0 endpoints: token (RFC 6749 §3.2: client credentials, and authorization code for login codes), revocation (RFC 7009) and
 * introspection (RFC 7662). Thin: parse the form, authenticate through the service, write JSON.
 */
export function oauthRoutes(tokens: OAuthTokenService, loginCodes: OAuthLoginCodeService, db: Database): Router {
  const router = Router();
  const handle = (req: Request, res: Response, fn: (params: Map<string, string>) => Promise<Answer>) => answer(req, res, db, fn);

  router.post('/oauth/token', (req, res) =>
    handle(req, res, async (params) => {
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
    }),
  );

  router.post('/oauth/revoke', (req, res) =>
    handle(req, res, async (params) => {
      const client = readClientCredentials(req.headers.authorization, params);
      const token = params.get('token');
      if (!token) throw new InvalidRequestError('token is required');
      await tokens.revoke(client, token);
      // RFC 7009 §2.2: 200 whether or not the token was known; the body is ignored by clients.
      return [200, {}];
    }),
  );

  router.post('/oauth/introspect', (req, res) =>
    handle(req, res, async (params) => {
      const client = readClientCredentials(req.headers.authorization, params);
      const token = params.get('token');
      if (!token) throw new InvalidRequestError('token is required');
      return [200, await tokens.introspect(client, token)];
    }),
  );

  return router;
}

type Answer = readonly [status: number, body: object, headers?: Record<string, string>];

/**
 * Reads the form (before taking a database connection, so a slow client holds none), then runs `fn`
 * in one transaction that starts on the lookup path (the client is found by its id) and is narrowed
 * to the client's customer once it is authenticated. OAuth errors become RFC 6749 §5.2 answers here,
 * the one place that does; an error answer still commits what was meant to last (a replayed login
 * code revokes its token). The response is written after the commit.
 */
async function answer(req: Request, res: Response, db: Database, fn: (params: Map<string, string>) => Promise<Answer>): Promise<void> {
  const [status, body, headers = {}] = await asAnswer(async () => {
    const params = await readParams(req);
    return runAs(SYSTEM_ACTOR, () => db.run(lookupScope('oauth client'), () => asAnswer(() => fn(params))));
  });
  res.set(headers);
  sendJson(res, status, body);
}

async function asAnswer(fn: () => Promise<Answer>): Promise<Answer> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    const challenge = err instanceof InvalidClientError && err.usedBasic ? { 'WWW-Authenticate': 'Basic realm="oauth"' } : undefined;
    return [err.status, { error: err.error, error_description: err.description }, challenge];
  }
}

async function readParams(req: Request): Promise<Map<string, string>> {
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    throw new InvalidRequestError('send parameters as application/x-www-form-urlencoded');
  }
  const body = await readBody(req);
  let pairs: Array<[string, string]>;
  try {
    pairs = parseFormStrict(body);
  } catch (err) {
    if (err instanceof MalformedFormError) throw new InvalidRequestError('malformed form body');
    throw err;
  }
  const params = new Map<string, string>();
  for (const [key, value] of pairs) {
    // RFC 6749 §3.1, §3.2: parameters must not be included more than once.
    if (params.has(key)) throw new InvalidRequestError(`${key} is repeated`);
    params.set(key, value);
  }
  return params;
}

async function readBody(req: Request): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > BODY_LIMIT) throw new InvalidRequestError('request too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new InvalidRequestError('request too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** RFC 6749 §5.1: token responses (and their errors) must not be cached. */
function sendJson(res: Response, status: number, body: object): void {
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  res.status(status).json(body);
}
