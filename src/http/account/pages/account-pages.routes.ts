import { Request, Response, Router } from 'express';
import { ActorKind, runAs } from '../../../audit';
import type { CustomerConfig } from '../../../customers';
import { Database } from '../../../db/scope';
import { AccountGoneError, AccountService } from '../../../privacy-center';
import { ValidationError } from '../../../shared/errors';
import type { SecretKeyRing } from '../../../shared/secret-key-ring';
import { AbuseGuard, sendTooManyRequests } from '../../abuse';
import { ACCOUNT_COOKIE, SignedIn } from '../account-guard';
import type { AccountPages } from '../account.routes';
import type { AccountSessionStore } from '../account-session.store';
import { sendNoCenterPage } from '../sign-in-pages';
import { contextOf, DONE_NOTICES, refusalOf, sendPage } from './page-answers';
import { Notice, renderOverviewPage } from './overview-page';
import { PageContext, pathOf } from './page-frame';
import { isReceiptTokenValid, receiptToken } from './receipt-token';
import { renderDeletePage, renderReceiptPage, renderSignedOutPage } from './simple-pages';

export interface AccountPagesDeps {
  db: Database;
  customers: { bySlug(slug: string): Promise<CustomerConfig | null> };
  accounts: AccountService;
  abuse: AbuseGuard;
  secretKeys: SecretKeyRing;
  /** RATE_LIMIT_ACCOUNT_REQUESTS_PER_PROFILE and _PER_ADDRESS, per hour. */
  requestsPerProfilePerHour: number;
  requestsPerAddressPerHour: number;
  /** Where sessions live: a deletion request ends the session that made it. */
  sessions: Pick<AccountSessionStore, 'delete'>;
  isSecureRequest(req: Request): boolean;
}

/** One signed-in POST: its customer, session, page context and form. */
interface Signed {
  customer: CustomerConfig;
  signedIn: SignedIn;
  ctx: PageContext;
  form: Array<[string, string]>;
}

const HOUR_SECONDS = 3600;

/**
 * The privacy center's pages (`/c/{slug}/account`, issue 22), mounted in pc-flow's account router
 * (`accountRoutes({ pages })`): the overview, each action (POST: session, same origin and CSRF by
 * the guard, rate-limited per profile and per address, run as the data subject in the customer's
 * unit of work, answered 303 back to the overview or 400 with the reason, changing nothing), the
 * export download, the deletion's confirmation and the receipt.
 */
export function accountPages(deps: AccountPagesDeps): AccountPages {
  return (guard) => {
    const router = Router();
    const base = '/c/:slug/account';

    /** The customer of an open center, or null once the 404 page is sent. */
    const openCenter = async (req: Request, res: Response): Promise<CustomerConfig | null> => {
      const customer = await deps.customers.bySlug(String(req.params.slug));
      if (!customer || !customer.privacyCenter.isEnabled) {
        sendNoCenterPage(res);
        return null;
      }
      return customer;
    };

    /** The session of this customer's center (the guard checks customer, region and that the center is open), or null. */
    const sessionOf = async (req: Request, customer: CustomerConfig): Promise<SignedIn | null> => {
      const found = await guard.session(req);
      return found && found.customer.id === customer.id ? found : null;
    };

    /** Deletes the session and clears its cookie (as sign-out does). */
    const endSession = async (req: Request, res: Response, signedIn: SignedIn): Promise<void> => {
      await deps.sessions.delete(signedIn.id);
      res.clearCookie(ACCOUNT_COOKIE, { path: `/c/${encodeURIComponent(signedIn.session.slug)}/account`, httpOnly: true, sameSite: 'strict', secure: deps.isSecureRequest(req) });
    };

    const asPerson = <T>(customer: CustomerConfig, fn: () => Promise<T>): Promise<T> =>
      runAs({ kind: ActorKind.DATA_SUBJECT, id: customer.slug }, () => deps.db.forSlug(customer.slug, fn));

    const showOverview = async (res: Response, customer: CustomerConfig, ctx: PageContext, profileId: string, notice: Notice | null, status = 200): Promise<void> => {
      const overview = await asPerson(customer, () => deps.accounts.overview(customer, profileId));
      const receiptHref = (id: string) => pathOf(ctx, `/receipt/${encodeURIComponent(id)}`, { token: receiptToken(deps.secretKeys, id) });
      sendPage(res, status, ctx, renderOverviewPage(ctx, { overview, notice, receiptHref }));
    };

    /** A session that outlived its person (erased meanwhile): end it, show the sign-in page. */
    const sessionGone = async (req: Request, res: Response, customer: CustomerConfig, found: SignedIn): Promise<void> => {
      await endSession(req, res, found);
      const ctx = contextOf(req, customer, null);
      sendPage(res, 401, ctx, renderSignedOutPage(ctx, 'page.sessionEnded'));
    };

    /** Session, same origin, CSRF and the limits of a POST; null once its refusal is sent. */
    const signedForm = async (req: Request, res: Response): Promise<Signed | null> => {
      const customer = await openCenter(req, res);
      if (!customer) return null;
      const form = await guard.requireForm(req, res);
      if (!form) return null;
      const found = form.signedIn;
      const waits = [
        await deps.abuse.hit('account_requests_profile', found.session.profileId, deps.requestsPerProfilePerHour, HOUR_SECONDS),
        await deps.abuse.hit('account_requests_address', deps.abuse.address(req), deps.requestsPerAddressPerHour, HOUR_SECONDS),
      ];
      const wait = Math.max(...waits);
      if (wait > 0) {
        sendTooManyRequests(res, wait);
        return null;
      }
      return { customer, signedIn: found, ctx: contextOf(req, customer, found.csrf), form: form.pairs };
    };

    /**
     * Runs one action as the person; answers 303 to the overview with `done`, or re-renders the
     * overview with the refusal (the action's transaction rolled back: nothing changed).
     */
    const act = (action: (s: Signed, req: Request) => Promise<string>) => async (req: Request, res: Response) => {
      const signed = await signedForm(req, res);
      if (!signed) return;
      const { customer, signedIn: found, ctx } = signed;
      try {
        const done = await asPerson(customer, () => action(signed, req));
        res.redirect(303, pathOf(ctx, '', { done }));
      } catch (err) {
        if (err instanceof AccountGoneError) return sessionGone(req, res, customer, found);
        const refusal = refusalOf(err);
        if (!refusal) throw err;
        await showOverview(res, customer, ctx, found.session.profileId, refusal.notice, refusal.status);
      }
    };

    const one = (form: Array<[string, string]>, name: string): string | undefined => {
      const values = form.filter(([k]) => k === name).map(([, v]) => v);
      return values.length === 1 ? values[0] : undefined;
    };

    router.get(base, async (req, res) => {
      const customer = await openCenter(req, res);
      if (!customer) return;
      const found = await sessionOf(req, customer);
      if (!found) {
        const ctx = contextOf(req, customer, null);
        return sendPage(res, 200, ctx, renderSignedOutPage(ctx, req.query.signin === 'cancelled' ? 'signIn.cancelled' : null));
      }
      const ctx = contextOf(req, customer, found.csrf);
      const done = typeof req.query.done === 'string' ? DONE_NOTICES[req.query.done] : undefined;
      try {
        await showOverview(res, customer, ctx, found.session.profileId, done ? { kind: 'done', key: done } : null);
      } catch (err) {
        if (err instanceof AccountGoneError) return sessionGone(req, res, customer, found);
        throw err;
      }
    });

    router.post(
      `${base}/profile`,
      act(async ({ customer, signedIn: found, form }) => {
        const submitted: Record<string, string> = {};
        for (const [name, value] of form) {
          if (name === 'csrf') continue;
          // A field given twice is no value at all: refuse it rather than pick one.
          if (Object.hasOwn(submitted, name)) throw new ValidationError(name, `${name} was given twice`);
          submitted[name] = value;
        }
        const changed = await deps.accounts.rectify(customer, found.session.profileId, submitted);
        return changed.length > 0 ? 'rectified' : 'unchanged';
      }),
    );

    router.post(
      `${base}/consents/:id/withdraw`,
      act(async ({ customer, signedIn: found }, req) => {
        await deps.accounts.withdrawConsent(customer, found.session.profileId, String(req.params.id));
        return 'withdrawn';
      }),
    );

    router.post(
      `${base}/export`,
      act(async ({ customer, signedIn: found }) => {
        await deps.accounts.requestExport(customer, found.session.profileId);
        return 'export';
      }),
    );

    router.post(
      `${base}/restriction`,
      act(async ({ customer, signedIn: found, form }) => {
        const asked = one(form, 'restricted');
        if (asked !== 'true' && asked !== 'false') throw new ValidationError('restricted', 'restricted must be true or false');
        await deps.accounts.setRestriction(customer, found.session.profileId, asked === 'true');
        return asked === 'true' ? 'restricted' : 'unrestricted';
      }),
    );

    router.post(
      `${base}/objection`,
      act(async ({ customer, signedIn: found, form }) => {
        await deps.accounts.object(customer, found.session.profileId, one(form, 'grounds') ?? '');
        return 'objected';
      }),
    );

    router.get(`${base}/exports/:id`, async (req, res) => {
      const customer = await openCenter(req, res);
      if (!customer) return;
      const found = await sessionOf(req, customer);
      const ctx = contextOf(req, customer, found?.csrf ?? null);
      if (!found) return sendPage(res, 401, ctx, renderSignedOutPage(ctx, 'page.sessionEnded'));
      try {
        const url = await asPerson(customer, () => deps.accounts.exportDownloadUrl(customer, found.session.profileId, String(req.params.id)));
        // The API's own signed link serves the document (and checks expiry and restriction once more).
        if (url !== null) return res.redirect(303, url);
        await showOverview(res, customer, ctx, found.session.profileId, { kind: 'error', key: 'error.notFound' }, 404);
      } catch (err) {
        if (err instanceof AccountGoneError) return sessionGone(req, res, customer, found);
        throw err;
      }
    });

    router.get(`${base}/delete`, async (req, res) => {
      const customer = await openCenter(req, res);
      if (!customer) return;
      const found = await sessionOf(req, customer);
      const ctx = contextOf(req, customer, found?.csrf ?? null);
      if (!found) return sendPage(res, 401, ctx, renderSignedOutPage(ctx, 'page.sessionEnded'));
      sendPage(res, 200, ctx, renderDeletePage(ctx, customer.privacyCenter.deletionMode, null));
    });

    router.post(`${base}/delete`, async (req, res) => {
      const signed = await signedForm(req, res);
      if (!signed) return;
      const { customer, signedIn: found, ctx, form } = signed;
      if (one(form, 'confirm') !== 'yes') return sendPage(res, 400, ctx, renderDeletePage(ctx, customer.privacyCenter.deletionMode, 'error.confirm'));
      let requestId: string;
      try {
        requestId = (await asPerson(customer, () => deps.accounts.requestDeletion(customer, found.session.profileId))).id;
      } catch (err) {
        if (err instanceof AccountGoneError) return sessionGone(req, res, customer, found);
        throw err;
      }
      // The session ends with the request: what it showed is being erased (or waits for review).
      await endSession(req, res, found);
      res.redirect(303, pathOf(ctx, `/receipt/${encodeURIComponent(requestId)}`, { token: receiptToken(deps.secretKeys, requestId) }));
    });

    // Readable without a session and after the person's data is gone; even once the center is closed.
    router.get(`${base}/receipt/:id`, async (req, res) => {
      const id = String(req.params.id);
      const customer = await deps.customers.bySlug(String(req.params.slug));
      if (!customer || !isReceiptTokenValid(deps.secretKeys, req.query.token, id)) return sendNoCenterPage(res);
      const receipt = await deps.db.forSlug(customer.slug, () => deps.accounts.receipt(customer, id));
      if (!receipt) return sendNoCenterPage(res);
      const ctx = contextOf(req, customer, null);
      sendPage(res, 200, ctx, renderReceiptPage(ctx, receipt.request, receipt.removed));
    });

    return router;
  };
}
