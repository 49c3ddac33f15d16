import express, { Express, Request, Response } from 'express';
import { relyingParty, SREG_RESULT_FIELDS, VerifiedAssertion } from './npm-openid';
import { esc, sendPage } from './page';

/**
 * The sample Relying Party (RP): a site that lets people sign in with the service's OpenID provider,
 * built on the npm `openid` package the way any Node.js RP would be (step 1 and step 8 of
 * docs/protocol.md#flow).
 */
export interface SampleRpOptions {
  /** The OP identifier, `{PUBLIC_URL}/c/{slug}/`. */
  opIdentifier: string;
  /** Where this RP is served, without a trailing slash; its realm is this plus `/`. */
  baseUrl: string;
}

const SITE = 'Demo Relying Party';
/** What the npm package says when the OP answered `openid.mode=cancel` (openid.js `_getAssertionError`). */
const CANCELLED = 'Authentication cancelled';

export function createSampleRp(options: SampleRpOptions): Express {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const rp = relyingParty(`${baseUrl}/verify`, `${baseUrl}/`, { email: 'required', nickname: 'optional', fullname: 'optional' });
  const app = express();
  app.disable('x-powered-by');

  app.get('/', (_req, res) => {
    const html = [
      '<p>This sample site has no accounts of its own. Sign in with your Demo ID, and it will ask for your email address (required), nickname and full name (optional).</p>',
      '<form method="post" action="/login">',
      `<input type="hidden" name="identifier" value="${esc(options.opIdentifier)}">`,
      '<button type="submit">Sign in with Demo ID</button>',
      '</form>',
    ];
    sendPage(res, 200, SITE, 'Welcome', html.join('\n'));
  });

  // The form carries the OP identifier as a real RP's would, but only the configured one is ever
  // discovered: fetching whatever URL a form names would let anyone make this server fetch it.
  app.post('/login', async (_req, res) => {
    let authUrl: string;
    try {
      authUrl = await rp.authenticate(options.opIdentifier);
    } catch (err) {
      return sendPage(res, 502, SITE, 'Sign-in failed', `<p>Could not start the sign-in: ${esc((err as Error).message)}</p>${backLink()}`);
    }
    res.redirect(302, authUrl);
  });

  // return_to: a redirect (GET) or, for long answers, an auto-submitted form (POST) from the OP.
  const finish = async (req: Request, res: Response) => {
    const params = req.method === 'POST' ? new URLSearchParams(typeof req.body === 'string' ? req.body : '') : new URL(req.originalUrl, baseUrl).searchParams;
    // Negative assertions and errors need not carry return_to (OpenID 2.0 §10.2, §5.2.3), but the
    // npm package checks return_to first and would call them an "Invalid return URL".
    const mode = params.get('openid.mode');
    if (mode === 'cancel') return sendCancelled(res);
    if (mode === 'error') {
      return sendPage(res, 401, SITE, 'Sign-in failed', `<p>The provider reported an error: ${esc(params.get('openid.error') ?? 'no reason given')}</p>${backLink()}`);
    }
    let result: VerifiedAssertion;
    try {
      result = await rp.verifyAssertion(`${baseUrl}/verify?${params}`);
    } catch (err) {
      const message = (err as Error).message;
      if (message === CANCELLED) return sendCancelled(res);
      return sendPage(res, 401, SITE, 'Sign-in failed', `<p>The answer from the provider was not accepted: ${esc(message)}</p>${backLink()}`);
    }
    if (!result.authenticated || typeof result.claimedIdentifier !== 'string') {
      return sendPage(res, 401, SITE, 'Sign-in failed', `<p>The provider did not vouch for an identity.</p>${backLink()}`);
    }
    sendPage(res, 200, SITE, 'Signed in', signedInHtml(result.claimedIdentifier, result));
  };
  app.get('/verify', finish);
  app.post('/verify', express.text({ type: 'application/x-www-form-urlencoded', limit: '64kb' }), finish);

  return app;
}

function signedInHtml(claimedIdentifier: string, result: VerifiedAssertion): string {
  const rows = SREG_RESULT_FIELDS.flatMap((name) => {
    const value = result[name];
    return typeof value === 'string' ? [`<tr><th scope="row">${esc(name)}</th><td>${esc(value)}</td></tr>`] : [];
  });
  const attributes =
    rows.length > 0
      ? ['<table>', '<caption>Details the provider released</caption>', '<thead><tr><th scope="col">Attribute</th><th scope="col">Value</th></tr></thead>', `<tbody>${rows.join('')}</tbody>`, '</table>'].join('\n')
      : '<p>The provider released no details.</p>';
  return [`<p>Signed in as <code>${esc(claimedIdentifier)}</code></p>`, attributes, backLink()].join('\n');
}

function sendCancelled(res: Response): void {
  sendPage(res, 200, SITE, 'Sign-in cancelled', `<p>The login was cancelled: no identity or details were shared with this site.</p>${backLink()}`);
}

function backLink(): string {
  return '<p><a href="/">Back to the start page</a></p>';
}
