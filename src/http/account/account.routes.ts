import { Request, Router } from 'express';
import type { CustomerConfig } from '../../customers';
import type { SecretKeyRing } from '../../shared/secret-key-ring';
import { ACCOUNT_COOKIE, AccountGuard, slugOf } from './account-guard';
import { AccountSessionStore } from './account-session.store';
import { AccountSignIn } from './account-sign-in';
import { sendNoCenterPage, sendPlaceholderPage } from './sign-in-pages';

/** The center's pages and forms, mounted with the guard every one of them asks (pc-pages: `accountPages(...)`). */
export type AccountPages = (guard: AccountGuard) => Router;

export interface AccountRoutesDeps {
  /** The sign-in's start and the session it opens on return (shared with the `ows_return` route). */
  signIn: AccountSignIn;
  sessions: AccountSessionStore;
  customers: { bySlug(slug: string): Promise<CustomerConfig | null> };
  secretKeys: SecretKeyRing;
  publicUrl: string;
  /** The region this router serves. */
  region: string;
  isSecureRequest: (req: Request) => boolean;
  /**
   * The center's pages and forms (GET /c/:slug/account, its POSTs, exports, receipts), given the
   * guard; mounted after the sign-in routes. Absent: a placeholder start page.
   */
  pages?: AccountPages;
}

/**
 * `/c/:slug/account/…`, the person's privacy center (issue 22): the sign-in through the customer's AW,
 * sign-out, and the pages (`deps.pages`), behind one AccountGuard. Mounted per region, like the flow's
 * routes: the region router sends each customer's paths to the region holding its data.
 */
export function accountRoutes(deps: AccountRoutesDeps): Router {
  const router = Router();
  const guard = new AccountGuard({ sessions: deps.sessions, customers: deps.customers, secretKeys: deps.secretKeys, publicUrl: deps.publicUrl, region: deps.region });

  router.get('/c/:slug/account/sign-in', (req, res) => deps.signIn.start(req, res));

  router.post('/c/:slug/account/sign-out', async (req, res) => {
    const form = await guard.requireForm(req, res);
    if (!form) return;
    await deps.sessions.delete(form.signedIn.id);
    res.clearCookie(ACCOUNT_COOKIE, { path: `/c/${encodeURIComponent(form.signedIn.session.slug)}/account`, httpOnly: true, sameSite: 'strict', secure: deps.isSecureRequest(req) });
    res.set('Cache-Control', 'no-store');
    res.redirect(303, `/c/${encodeURIComponent(form.signedIn.session.slug)}/account`);
  });

  if (deps.pages) {
    router.use(deps.pages(guard));
  } else {
    router.get('/c/:slug/account', async (req, res) => {
      const customer = await deps.customers.bySlug(slugOf(req));
      if (!customer || !customer.privacyCenter.isEnabled) return sendNoCenterPage(res);
      const signedIn = await guard.session(req);
      sendPlaceholderPage(res, slugOf(req), signedIn?.csrf ?? null);
    });
  }
  return router;
}
