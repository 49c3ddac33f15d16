import { Request, Response, Router } from 'express';
import { FlowResult, IdentityFlowService, PostbackRefusedError, TXN_COOKIE } from '../identity-flow';
import type { OpenIdProviderService } from '../openid-provider';
import { consentLogoOrigin, renderConsentPage } from './consent-page';
import type { OidcAuthorizationService } from '../oidc-provider/authorization.service';
import type { AccountSignIn } from './account/account-sign-in';

/** Opens the account session of a privacy center sign-in (account/account-sign-in.ts). */
export type AccountFinish = Pick<AccountSignIn, 'finish'>;

/** Ends an OpenID Connect sign-in at its client (OidcAuthorizationService.answer). */
export type OidcAnswerer = Pick<OidcAuthorizationService, 'answer'>;
import { MalformedFormError, parseFormStrict, rawQuery, readBody, readCookie } from './form';
import { setPageHeaders } from './pages';
import { sendFlowErrorPage } from './error-pages';
import { PostbackTransportRefusal, postbackAnswer } from './postback-answers';
import { sendIndirect } from './indirect';
import { Actor, ActorKind, runAs } from '../audit/actor';
import { AbuseGuard, digestOf, sendTooManyRequests } from './abuse';
import { flowResultStep, LoginFlowMetrics, NO_LOGIN_FLOW_METRICS, postbackStep } from '../observability/metrics';

/** docs/protocol.md#postback: postbacks are small; a larger body is refused before it is read. */
export const POSTBACK_BODY_LIMIT = 16 * 1024;
const FORM_LIMIT = 16 * 1024;

/** Abuse limits of the postback: requests per address and per API key, and lockouts after wrong API keys. */
export interface PostbackLimits {
  guard: AbuseGuard;
  perAddress: number;
  perApiKey: number;
}

/**
 * Routes of the delegated login flow: the AW's postback (`ows_auth`), the browser's return
 * (`ows_return`) and the consent form (`ows_consent`). Thin: parse, call the flow (one statement
 * per step, committed before the answer is written), then act on its result: the OP signs an
 * assertion or builds a cancel, or a page is rendered. Refusals take their wire form from one table
 * per audience: postback-answers.ts for the AW, error-pages.ts for the browser. Each postback's
 * answer and each browser step's result is counted (`loginFlow`: counters only, no I/O).
 */
export function identityFlowRoutes(
  flow: IdentityFlowService,
  provider: OpenIdProviderService,
  oidc: OidcAnswerer,
  limits: PostbackLimits,
  loginFlow: LoginFlowMetrics = NO_LOGIN_FLOW_METRICS,
  account: AccountFinish | null = null,
): Router {
  const router = Router();
  const { guard } = limits;
  const sendRefusal = (res: Response, code: PostbackTransportRefusal | PostbackRefusedError['code'], parameter: string | null = null, headers: Record<string, string> = {}) => {
    loginFlow.count(postbackStep(code));
    sendPostbackRefusal(res, code, parameter, headers);
  };
  const send = (req: Request, res: Response, result: FlowResult) => {
    loginFlow.count(flowResultStep(result));
    // A privacy center sign-in (issue 22) ends in an account session, never at an RP; without the center's routes, nowhere.
    if (result.kind === 'account') return account ? account.finish(req, res, result) : sendFlowErrorPage(res, 'NO_SERVICE');
    return sendFlowResult(res, provider, oidc, result);
  };

  router.all('/c/:slug/ows_auth', async (req, res) => {
    if (req.method !== 'POST') return sendRefusal(res, 'METHOD_NOT_ALLOWED', null, { Allow: 'POST' });
    const address = guard.address(req);
    // Refused before the body is read: a locked-out or flooding source costs us no parsing and no transaction.
    const wait = await guard.admit('ows_auth', req.params.slug!, address, 'ows_auth', `${req.params.slug!}:${address}`, limits.perAddress);
    if (wait > 0) return sendTooManyRequests(res, wait);
    if (!isForm(req)) return sendRefusal(res, 'UNSUPPORTED_MEDIA_TYPE');
    const body = await readBody(req, POSTBACK_BODY_LIMIT);
    if (body === 'too_large') return sendRefusal(res, 'TOO_LARGE');
    let form: Array<[string, string]>;
    try {
      form = parseFormStrict(body);
    } catch (err) {
      if (err instanceof MalformedFormError) return sendRefusal(res, 'MALFORMED_BODY');
      throw err;
    }
    const slug = req.params.slug!;
    const apiKey = firstValue(form, 'api_key');
    if (apiKey) {
      const keyWait = await guard.hit('ows_auth_key', `${slug}:${digestOf(apiKey)}`, limits.perApiKey);
      if (keyWait > 0) return sendTooManyRequests(res, keyWait);
    }
    // One statement: a refused postback has still committed what the flow recorded about it (an expiry).
    const refusal = await runAs({ kind: ActorKind.AW, id: slug }, async () => {
      try {
        await flow.postback(slug, form);
        return null;
      } catch (err) {
        if (err instanceof PostbackRefusedError) return err;
        throw err;
      }
    });
    if (refusal === null) {
      loginFlow.count(postbackStep(null));
      return sendText(res, 200, 'OK');
    }
    if (refusal.code === 'INVALID_API_KEY') await guard.failed('ows_auth', slug, address);
    sendRefusal(res, refusal.code, refusal.parameter);
  });

  router.get('/c/:slug/ows_return', async (req, res) => {
    let requestId: string | null;
    try {
      requestId = firstValue(parseFormStrict(rawQuery(req.originalUrl)), 'request_id');
    } catch {
      return sendFlowErrorPage(res, 'MALFORMED_ADDRESS');
    }
    const slug = req.params.slug!;
    await send(req, res, await runAs(userOf(slug), () => flow.returnFromAw(slug, requestId, readCookie(req, TXN_COOKIE))));
  });

  router.post('/c/:slug/ows_return', async (req, res) => {
    const pairs = await readForm(req, res);
    if (!pairs) return;
    const slug = req.params.slug!;
    await send(req, res, await runAs(userOf(slug), () => flow.returnFromAw(slug, firstValue(pairs, 'request_id'), readCookie(req, TXN_COOKIE))));
  });

  router.post('/c/:slug/ows_consent', async (req, res) => {
    const pairs = await readForm(req, res);
    if (!pairs) return;
    const form = {
      authRequestId: firstValue(pairs, 'auth_request') ?? '',
      csrf: firstValue(pairs, 'csrf') ?? undefined,
      decision: firstValue(pairs, 'decision') ?? undefined,
      share: pairs.filter(([key]) => key === 'share').map(([, value]) => value),
      remember: firstValue(pairs, 'remember') === 'true',
    };
    const slug = req.params.slug!;
    await send(req, res, await runAs(userOf(slug), () => flow.decideConsent(slug, form, readCookie(req, TXN_COOKIE))));
  });

  return router;
}

/** The signed-in user at one customer, as the audit trail names them (who they are is the event's subject). */
function userOf(slug: string): Actor {
  return { kind: ActorKind.USER, id: slug };
}

/** Acts on what a browser step decided: the OP answers the RP (step 8), or a page is shown. */
async function sendFlowResult(res: Response, provider: OpenIdProviderService, oidc: OidcAnswerer, result: FlowResult): Promise<void> {
  switch (result.kind) {
    case 'assert':
      return sendIndirect(res, await provider.assert(result.customer, result.request, result.outcome));
    case 'cancel':
      return sendIndirect(res, provider.cancel(result.request));
    case 'oidc':
      // An OpenID Connect client is answered at its registered redirect URI, with the code or the error.
      res.set('Cache-Control', 'no-store');
      res.redirect(302, oidc.answer(result.customer, result.request, result.answer));
      return;
    case 'consent':
      setPageHeaders(res, undefined, consentLogoOrigin(result.view));
      res.status(200).type('html').send(renderConsentPage(result.view));
      return;
    case 'refused':
      return sendFlowErrorPage(res, result.code);
    case 'account':
      return sendFlowErrorPage(res, 'NO_SERVICE');
  }
}

function sendPostbackRefusal(res: Response, code: PostbackTransportRefusal | PostbackRefusedError['code'], parameter: string | null = null, headers: Record<string, string> = {}): void {
  const { status, body } = postbackAnswer(code, parameter);
  sendText(res, status, body, headers);
}

function sendText(res: Response, status: number, body: string, headers: Record<string, string> = {}): void {
  res.set({ 'Cache-Control': 'no-store', ...headers });
  res.status(status).type('text/plain').send(body);
}

function isForm(req: Request): boolean {
  return /^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers['content-type'] ?? '');
}

function firstValue(pairs: ReadonlyArray<readonly [string, string]>, key: string): string | null {
  return pairs.find(([k]) => k === key)?.[1] ?? null;
}


async function readForm(req: Request, res: Response): Promise<Array<[string, string]> | null> {
  if (!isForm(req)) {
    sendFlowErrorPage(res, 'FORM_NOT_WEB_FORM');
    return null;
  }
  const body = await readBody(req, FORM_LIMIT);
  if (body === 'too_large') {
    sendFlowErrorPage(res, 'FORM_TOO_LARGE');
    return null;
  }
  try {
    return parseFormStrict(body);
  } catch {
    sendFlowErrorPage(res, 'MALFORMED_FORM');
    return null;
  }
}

