import { Request, Response, Router } from 'express';
import { ActorKind, runAs } from '../audit/actor';
import { Database } from '../db/scope';
import { OIDC_PATHS } from '../oidc/endpoints';
import type { LogoutRefusal } from '../oidc/logout-request';
import type { LogoutResult, OidcLogoutService } from '../oidc-provider/logout.service';
import { createHash, randomBytes } from 'node:crypto';
import { csrfToken, isCsrfTokenValid } from '../identity-flow/binding';
import type { SecretKeyRing } from '../shared/secret-key-ring';
import { readCookie, readFormParams } from './form';
import { renderLogoutConfirmation } from './logout-page';
import { sendMessagePage, setPageHeaders } from './pages';

/** The confirmation form's cookie: its CSRF token is bound to it, and SameSite=Strict keeps it off other sites' posts. */
const CONFIRM_COOKIE = 'ids_logout';
const CONFIRM_MAX_AGE_SECONDS = 600;

export interface OidcLogoutRoutesDeps {
  logout: OidcLogoutService;
  db: Database;
  secretKeys: SecretKeyRing;
  isSecureRequest: (req: Request) => boolean;
}

/** A logout request is a few parameters; an ID token hint is the largest. */
const FORM_LIMIT = 16 * 1024;

/**
 * `GET|POST /c/{slug}/oidc/logout`, the end-session endpoint (RP-Initiated Logout 1.0 §2). Thin:
 * read the parameters, run the service in one transaction of the slug's customer (as the person at
 * that customer), write what it decided: a redirect to a registered post-logout address, or a page.
 */
export function oidcLogoutRoutes(deps: OidcLogoutRoutesDeps): Router {
  const router = Router();
  const handle = async (req: Request, res: Response) => {
    const all = await readFormParams(req, FORM_LIMIT);
    if (all === null) return sendRefusalPage(res, 'MALFORMED');
    // The confirmation form's own fields; the rest is the logout request as the client sent it.
    const params = all.filter(([key]) => key !== 'confirm' && key !== 'csrf');
    const hint = params.find(([key]) => key === 'id_token_hint')?.[1] ?? null;
    const cookie = readCookie(req, CONFIRM_COOKIE);
    const csrf = all.find(([key]) => key === 'csrf')?.[1];
    const confirmed =
      req.method === 'POST' && all.some(([key, value]) => key === 'confirm' && value === 'yes') && hint !== null && cookie !== undefined && isCsrfTokenValid(deps.secretKeys, csrf, digest(hint), cookie);
    const slug = String(req.params.slug);
    const result = await runAs({ kind: ActorKind.USER, id: slug }, () => deps.db.forSlug(slug, () => deps.logout.logout(slug, params, confirmed)));
    if (result.kind === 'confirm') {
      const value = cookie ?? randomBytes(24).toString('base64url');
      res.cookie(CONFIRM_COOKIE, value, { path: `/c/${slug}${OIDC_PATHS.endSession}`, maxAge: CONFIRM_MAX_AGE_SECONDS * 1000, httpOnly: true, sameSite: 'strict', secure: deps.isSecureRequest(req) });
      setPageHeaders(res);
      res.status(200).type('html').send(
        renderLogoutConfirmation({ clientName: result.clientName, customerName: result.customerName, action: `/c/${slug}${OIDC_PATHS.endSession}`, params, csrf: csrfToken(deps.secretKeys, digest(hint!), value) }),
      );
      return;
    }
    send(res, result);
  };
  router.get(`/c/:slug${OIDC_PATHS.endSession}`, handle);
  router.post(`/c/:slug${OIDC_PATHS.endSession}`, handle);
  return router;
}

/** The token is bound to the hint it confirms, by digest (a hint is long). */
function digest(hint: string): string {
  return createHash('sha256').update(hint).digest('base64url');
}

function send(res: Response, result: Exclude<LogoutResult, { kind: 'confirm' }>): void {
  switch (result.kind) {
    case 'redirect':
      res.set('Cache-Control', 'no-store');
      // 303: the person's browser follows with a GET, whichever method the logout request used.
      return res.redirect(303, result.location);
    case 'signed_out':
      return sendMessagePage(
        res,
        200,
        'You are signed out',
        `You are signed out of ${result.clientName} at this provider. If the website still shows you signed in, its own session is the website's: sign out there too.`,
      );
    case 'nothing_to_do':
      return sendMessagePage(res, 200, 'Nothing was changed', 'This sign-out request did not say who to sign out, so nobody was signed out. To sign out of a website, use its own sign-out button.');
    case 'refused':
      return sendRefusalPage(res, result.refusal);
  }
}

/** The one table of the end-session endpoint's refusals: what the person reads; nothing was changed. */
const PAGES: Record<LogoutRefusal | 'UNKNOWN_PROVIDER' | 'MALFORMED', { status: number; message: string }> = {
  UNKNOWN_PROVIDER: { status: 404, message: 'There is no OpenID provider at this address.' },
  MALFORMED: { status: 400, message: 'The sign-out request was not valid form data.' },
  REPEATED_PARAMETER: { status: 400, message: 'The sign-out request names one of its parameters more than once.' },
  INVALID_PARAMETER: { status: 400, message: 'The sign-out request has a parameter that is too long or holds control characters.' },
  UNKNOWN_CLIENT: { status: 400, message: 'The site that sent you here is not registered with this provider, or is disabled.' },
  INVALID_ID_TOKEN_HINT: { status: 400, message: 'The site that sent you here did not prove who you are: its sign-in token was not issued by this provider.' },
  CLIENT_MISMATCH: { status: 400, message: 'The site that sent you here named another site than the one its sign-in token was issued to.' },
  POST_LOGOUT_REDIRECT_WITHOUT_CLIENT: { status: 400, message: 'The site that sent you here asked to send you back, but did not say who it is.' },
  UNREGISTERED_POST_LOGOUT_REDIRECT_URI: { status: 400, message: 'The site that sent you here asked to send you back to an address it has not registered.' },
};

function sendRefusalPage(res: Response, code: keyof typeof PAGES): void {
  const { status, message } = PAGES[code];
  sendMessagePage(res, status, 'This sign-out request cannot be completed', `${message} Nothing was changed.`);
}
