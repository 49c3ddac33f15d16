import { Request, Response, Router } from 'express';
import { MalformedFormError, parseFormStrict } from '../http/form';
import { readClientCredentials } from './client-authentication';
import { InvalidClientError, InvalidRequestError, OAuthError, UnsupportedGrantTypeError } from './oauth.errors';
import { OAuthTokenService } from './token.service';
import { OAuthLoginCodeService } from './login-code.service';

/** Token, revocation and introspection requests are a few short parameters. */
const BODY_LIMIT = 16 * 1024;

/**
 * OAuth 2.0 endpoints: token (RFC 6749 §3.2: client credentials, and authorization code for login codes), revocation (RFC 7009) and
 * introspection (RFC 7662). Thin: parse the form, authenticate through the service, write JSON.
 */
export function oauthRoutes(tokens: OAuthTokenService, loginCodes: OAuthLoginCodeService): Router {
  const router = Router();

  router.post('/oauth/token', (req, res) =>
    handle(req, res, async (params) => {
      const grantType = params.get('grant_type');
      if (grantType === undefined) throw new InvalidRequestError('grant_type is required');
      if (grantType === 'authorization_code') {
        const client = readClientCredentials(req.headers.authorization, params);
        const code = params.get('code');
        if (!code) throw new InvalidRequestError('code is required');
        sendJson(res, 200, await loginCodes.exchange(client, code));
        return;
      }
      if (grantType !== 'client_credentials') throw new UnsupportedGrantTypeError('only client_credentials and authorization_code are supported');
      const client = readClientCredentials(req.headers.authorization, params);
      sendJson(res, 200, await tokens.issueClientCredentials(client, params.get('scope')));
    }),
  );

  router.post('/oauth/revoke', (req, res) =>
    handle(req, res, async (params) => {
      const client = readClientCredentials(req.headers.authorization, params);
      const token = params.get('token');
      if (!token) throw new InvalidRequestError('token is required');
      await tokens.revoke(client, token);
      // RFC 7009 §2.2: 200 whether or not the token was known; the body is ignored by clients.
      sendJson(res, 200, {});
    }),
  );

  router.post('/oauth/introspect', (req, res) =>
    handle(req, res, async (params) => {
      const client = readClientCredentials(req.headers.authorization, params);
      const token = params.get('token');
      if (!token) throw new InvalidRequestError('token is required');
      sendJson(res, 200, await tokens.introspect(client, token));
    }),
  );

  return router;
}

/** Reads the form, runs `fn`, and maps OAuth errors to RFC 6749 §5.2 answers: the one place that does. */
async function handle(req: Request, res: Response, fn: (params: Map<string, string>) => Promise<void>): Promise<void> {
  try {
    await fn(await readParams(req));
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    if (err instanceof InvalidClientError && err.usedBasic) res.set('WWW-Authenticate', 'Basic realm="oauth"');
    sendJson(res, err.status, { error: err.error, error_description: err.description });
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
