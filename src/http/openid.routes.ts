import express, { Request, Response, Router } from 'express';
import { OpenIdProviderService, ProviderResult, Transport } from '../openid-provider';
import type { RequestParams } from '../openid';
import { DiscoveryService } from '../openid-provider';
import { MalformedFormError, parseFormStrict, rawQuery } from './form';
import { sendOpenIdPage } from './error-pages';
import { sendIndirect } from './indirect';
import { sendHandoff } from './handoff';
import { AbuseGuard, sendTooManyRequests } from './abuse';
import type { LoginFlowMetrics } from '../observability/metrics';

/** Largest OpenID request body we read; real messages are a few KB. */
const OPENID_BODY_LIMIT = '64kb';

export interface OpenIdRoutesDeps {
  provider: OpenIdProviderService;
  discovery: DiscoveryService;
  trustProxy: boolean;
  /** Whether a browser reached us over TLS, as the security headers decide it (PUBLIC_URL's scheme, TLS, or a trusted proxy). */
  isSecureRequest: (req: Request) => boolean;
  guard: AbuseGuard;
  /** `associate` requests one address may send per window, counted apart from the endpoint's own limit. */
  associatePerAddress: number;
  /** Checkids one address may send per window that need RP discovery (a realm not in the cache). */
  discoveryPerAddress: number;
  /** Counts the checkids that started a sign-in (handed off to the login site). */
  loginFlow: LoginFlowMetrics;
}

/** What a route decided: the provider's answer, or a refusal by the abuse limits before it ran. */
type RouteResult = ProviderResult | { kind: 'limited'; retryAfterSeconds: number };

/**
 * The OP endpoint `/c/{slug}/openid` and the discovery documents under `/c/{slug}/`. Thin: parse,
 * call the provider or the discovery service, write what it decided.
 */
export function openidRoutes(deps: OpenIdRoutesDeps): Router {
  const router = Router();
  const rawForm = express.raw({ type: () => true, limit: OPENID_BODY_LIMIT });

  router.get('/c/:slug/openid', async (req, res) => {
    const via = transport(req, 'GET', deps);
    const slug = req.params.slug!;
    await answer(res, deps, deps.isSecureRequest(req), () => handle(deps, slug, parseFormStrict(rawQuery(req.originalUrl)), via));
  });

  router.post('/c/:slug/openid', rawForm, async (req, res) => {
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
      res.status(415).type('text/plain').send('error: unsupported_media_type\n');
      return;
    }
    // §4.1.2: on POST the message is the body; openid.* in the query string is ignored.
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const via = transport(req, 'POST', deps);
    const slug = req.params.slug!;
    await answer(res, deps, deps.isSecureRequest(req), async () => {
      const message = parseFormStrict(body);
      // Each associate costs a Diffie-Hellman exchange and stores a row for days (§15.5): it gets a
      // lower limit of its own, counted before any of that work.
      if (message.some(([key, value]) => key === 'openid.mode' && value === 'associate')) {
        const wait = await deps.guard.hit('associate', via.sourceAddress, deps.associatePerAddress);
        if (wait > 0) return { kind: 'limited', retryAfterSeconds: wait };
      }
      return handle(deps, slug, message, via);
    });
  });

  router.get('/c/:slug/', async (req, res) => {
    const slug = req.params.slug!;
    const doc = await deps.discovery.opIdentifier(slug, wantsXrds(req) ? 'xrds' : 'html');
    sendDiscovery(res, doc);
  });

  router.get('/c/:slug/id/:username', async (req, res) => {
    const slug = req.params.slug!;
    const doc = await deps.discovery.claimedIdentifier(slug, req.params.username!, wantsXrds(req) ? 'xrds' : 'html');
    sendDiscovery(res, doc);
  });

  return router;
}

/**
 * One OP request. The provider opens what it needs itself (a checkid is one statement, `associate`
 * one transaction). When it asks for RP discovery, the fetch runs between two calls, so a slow realm
 * holds no database connection.
 */
async function handle(deps: OpenIdRoutesDeps, slug: string, message: RequestParams, via: Transport): Promise<RouteResult> {
  const result = await deps.provider.handle(slug, message, via);
  if (result.kind !== 'discover') return result;
  // A discovery is an outbound fetch to a host an anonymous browser chose (only on a cache miss):
  // limited per address, so nobody can make us fetch realm after realm.
  const wait = await deps.guard.hit('rp-discovery', via.sourceAddress, deps.discoveryPerAddress);
  if (wait > 0) return { kind: 'limited', retryAfterSeconds: wait };
  const discovered = await result.discover();
  return deps.provider.handle(slug, message, via, discovered);
}

function transport(req: Request, method: Transport['method'], deps: OpenIdRoutesDeps): Transport {
  const forwarded = deps.trustProxy ? String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim() : '';
  return { method, isSecure: forwarded ? forwarded === 'https' : req.secure, sourceAddress: deps.guard.address(req) };
}

/** Yadis (§6.2.4): XRDS when the client prefers it in Accept, or asks by `?format=xrds` (our X-XRDS-Location). */
function wantsXrds(req: Request): boolean {
  if (req.query.format === 'xrds') return true;
  return req.accepts(['text/html', 'application/xrds+xml']) === 'application/xrds+xml';
}

function sendDiscovery(res: Response, doc: { contentType: string; body: string; xrdsLocation?: string } | null): void {
  if (!doc) {
    sendOpenIdPage(res, { code: 'UNKNOWN_IDENTIFIER' });
    return;
  }
  res.set('Vary', 'Accept');
  if (doc.xrdsLocation) res.set('X-XRDS-Location', doc.xrdsLocation);
  res.status(200).type(doc.contentType).send(doc.body);
}

async function answer(res: Response, deps: Pick<OpenIdRoutesDeps, 'loginFlow'>, isSecureBrowser: boolean, run: () => Promise<RouteResult>): Promise<void> {
  let result: RouteResult;
  try {
    result = await run();
  } catch (err) {
    if (err instanceof MalformedFormError) {
      sendOpenIdPage(res, { code: 'MALFORMED_REQUEST' });
      return;
    }
    throw err;
  }
  switch (result.kind) {
    case 'limited':
      sendTooManyRequests(res, result.retryAfterSeconds);
      return;
    case 'direct':
      res.set('Cache-Control', 'no-store');
      res.status(result.response.status).type(result.response.contentType).send(result.response.body);
      return;
    case 'indirect':
      sendIndirect(res, result.response);
      return;
    case 'handoff':
      deps.loginFlow.count({ step: 'started', outcome: 'ok', protocol: 'openid2' });
      sendHandoff(res, result.location, result.cookies, isSecureBrowser);
      return;
    case 'page':
      sendOpenIdPage(res, result.page);
      return;
    case 'discover':
      throw new Error('RP discovery must run before the answer is written');
  }
}
