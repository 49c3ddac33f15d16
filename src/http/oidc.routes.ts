import { Request, Response, Router } from 'express';
import type { CustomerConfig } from '../customers';
import type { AuthorizationPageRefusal } from '../oidc/authorization-errors';
import { providerMetadata } from '../oidc/discovery';
import { OIDC_PATHS, oidcEndpoints } from '../oidc/endpoints';
import type { AuthorizeResult, OidcAuthorizationService } from '../oidc-provider/authorization.service';
import type { IdTokenSigner } from '../oidc-provider/id-token-signer';
import { readFormParams } from './form';
import { sendHandoff } from './handoff';
import { sendMessagePage } from './pages';
import type { LoginFlowMetrics } from '../observability/metrics';

export interface OidcRoutesDeps {
  authorization: OidcAuthorizationService;
  signer: IdTokenSigner;
  customers: { bySlug(slug: string): Promise<CustomerConfig | null> };
  publicUrl: string;
  isSecureRequest: (req: Request) => boolean;
  /** Counts the authorization requests that started a sign-in (handed off to the login site). */
  loginFlow: LoginFlowMetrics;
}

/** An authorization request sent by POST (Core §3.1.2.1) is a small form. */
const FORM_LIMIT = 16 * 1024;

/**
 * The OpenID Connect provider's browser and discovery routes under each customer's issuer
 * `/c/{slug}`: discovery, the JWKS and the authorization endpoint. Thin: parse, ask the service,
 * write what it decided; pages come from the one table below.
 */
export function oidcRoutes(deps: OidcRoutesDeps): Router {
  const router = Router();

  router.get(`/c/:slug${OIDC_PATHS.discovery}`, async (req, res) => {
    const customer = await deps.customers.bySlug(req.params.slug!);
    if (!customer) return sendJson(res, 404, { error: 'not_found', error_description: 'there is no OpenID provider at this address' });
    // Public metadata: cacheable for a while, readable from any origin (SPAs discover too).
    res.set({ 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' });
    res.status(200).json(providerMetadata(oidcEndpoints(deps.publicUrl, customer.slug)));
  });

  router.get(`/c/:slug${OIDC_PATHS.jwks}`, async (req, res) => {
    const customer = await deps.customers.bySlug(req.params.slug!);
    if (!customer) return sendJson(res, 404, { error: 'not_found', error_description: 'there is no OpenID provider at this address' });
    // Short-lived: a rotation publishes the next key ahead of use, so clients that refetch within the hour see it in time.
    res.set({ 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' });
    res.status(200).type('application/jwk-set+json').send(JSON.stringify(await deps.signer.jwks(customer.id)));
  });

  // Core §3.1.2.1: GET (the query) and POST (a form) alike.
  const authorize = async (req: Request, res: Response) => {
    const params = await readFormParams(req, FORM_LIMIT);
    if (params === null) return sendAuthorizationPage(res, 'MALFORMED');
    send(req, res, deps, await deps.authorization.authorize(String(req.params.slug), params));
  };
  router.get(`/c/:slug${OIDC_PATHS.authorization}`, authorize);
  router.post(`/c/:slug${OIDC_PATHS.authorization}`, authorize);

  return router;
}

function send(req: Request, res: Response, deps: OidcRoutesDeps, result: AuthorizeResult): void {
  if (result.kind === 'page') return sendAuthorizationPage(res, result.refusal);
  if (result.isHandoff) deps.loginFlow.count({ step: 'started', outcome: 'ok', protocol: 'oidc' });
  sendHandoff(res, result.location, result.cookies, deps.isSecureRequest(req));
}

/** The one table of the authorization endpoint's pages: what the person reads when the client cannot be answered. */
const PAGES: Record<AuthorizationPageRefusal | 'UNKNOWN_PROVIDER' | 'MALFORMED', { status: number; message: string }> = {
  UNKNOWN_PROVIDER: { status: 404, message: 'There is no OpenID provider at this address.' },
  MALFORMED: { status: 400, message: 'The sign-in request was not valid form data.' },
  MISSING_CLIENT_ID: { status: 400, message: 'The site that sent you here did not say who it is (client_id is missing).' },
  UNKNOWN_CLIENT: { status: 400, message: 'The site that sent you here is not registered with this provider, or is disabled.' },
  MISSING_REDIRECT_URI: { status: 400, message: 'The site that sent you here did not say where to send you back (redirect_uri is missing).' },
  UNREGISTERED_REDIRECT_URI: { status: 400, message: 'The site that sent you here asked to send you back to an address it has not registered.' },
  REPEATED_PARAMETER: { status: 400, message: 'The sign-in request names its client or return address more than once.' },
};

function sendAuthorizationPage(res: Response, code: keyof typeof PAGES): void {
  const { status, message } = PAGES[code];
  sendMessagePage(res, status, 'This sign-in request cannot be completed', message);
}

function sendJson(res: Response, status: number, body: object): void {
  res.set('Cache-Control', 'no-store');
  res.status(status).json(body);
}
