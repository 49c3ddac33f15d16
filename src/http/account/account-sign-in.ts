import { Request, Response } from 'express';
import type { CustomerConfig } from '../../customers';
import type { FlowResult, IdentityFlowService } from '../../identity-flow';
import { AbuseGuard } from '../abuse';
import { LoginFlowMetrics, NO_LOGIN_FLOW_METRICS } from '../../observability/metrics';
import { readCookie } from '../form';
import { sendHandoff } from '../handoff';
import { ACCOUNT_COOKIE, slugOf } from './account-guard';
import { AccountSessionStore } from './account-session.store';
import { sendContinuePage, sendNoCenterPage, sendTooManyAttemptsPage } from './sign-in-pages';

/** A privacy center sign-in's end, as the browser's return produces it. */
export type AccountResult = Extract<FlowResult, { kind: 'account' }>;

export interface AccountSignInDeps {
  flow: Pick<IdentityFlowService, 'beginAccount'>;
  customers: { bySlug(slug: string): Promise<CustomerConfig | null> };
  sessions: AccountSessionStore;
  /** The region this router serves, recorded in the session. */
  region: string;
  abuse: AbuseGuard;
  /** RATE_LIMIT_ACCOUNT_SIGN_IN_PER_ADDRESS: sign-ins one address may start per window, at one customer and at all of them together. */
  signInPerAddress: number;
  /** RATE_LIMIT_ACCOUNT_SIGN_IN_PER_PROFILE: sessions one person may open per hour. */
  signInPerProfile: number;
  /** ACCOUNT_SESSION_MAX_SECONDS: the cookie lasts as long as the session can. */
  sessionMaxSeconds: number;
  isSecureRequest: (req: Request) => boolean;
  /** Counts the hand-off as a sign-in started (`protocol="account"`); the return is counted by the flow's routes. */
  loginFlow?: LoginFlowMetrics;
}

/**
 * The privacy center's sign-in through the customer's own AW (issue 22): `start` hands the browser to
 * the Verify URL as any sign-in does (a request marked `account`); `finish` acts on the browser's
 * return (routed here by the `ows_return` route): a signed-in person gets an account session.
 */
export class AccountSignIn {
  constructor(private readonly deps: AccountSignInDeps) {}

  /**
   * GET /c/:slug/account/sign-in: counted per address, at this customer and across all customers
   * (unknown slugs too), then the same 404 for no customer and a closed center. A session this browser
   * still holds ends here: its cookie (SameSite=Strict, on the center's path) reaches this same-origin
   * step, but never the return from the AW, where the new session replaces it.
   */
  async start(req: Request, res: Response): Promise<void> {
    const slug = slugOf(req);
    const address = this.deps.abuse.address(req);
    const wait = Math.max(
      await this.deps.abuse.hit('account_sign_in', `${slug}:${address}`, this.deps.signInPerAddress),
      await this.deps.abuse.hit('account_sign_in_any', address, this.deps.signInPerAddress),
    );
    if (wait > 0) return sendTooManyAttemptsPage(res, wait);
    const customer = await this.deps.customers.bySlug(slug);
    if (!customer || !customer.privacyCenter.isEnabled) return sendNoCenterPage(res);
    const decision = await this.deps.flow.beginAccount(customer);
    if (decision.kind !== 'redirect') return sendNoCenterPage(res);
    const previous = readCookie(req, ACCOUNT_COOKIE);
    if (previous) {
      await this.deps.sessions.delete(previous);
      res.clearCookie(ACCOUNT_COOKIE, { path: centerPath(slug), httpOnly: true, sameSite: 'strict', secure: this.deps.isSecureRequest(req) });
    }
    (this.deps.loginFlow ?? NO_LOGIN_FLOW_METRICS).count({ step: 'started', outcome: 'ok', protocol: 'account' });
    sendHandoff(res, decision.location, decision.cookies ?? [], this.deps.isSecureRequest(req));
  }

  /**
   * The browser is back from the AW. Signed in: a new session (the AW just proved who this is), its
   * cookie, and a same-origin hop to the center (see sendContinuePage). Cancelled: back to the
   * center's start page, which says so. A center closed meanwhile opens no session, nor does a
   * person past RATE_LIMIT_ACCOUNT_SIGN_IN_PER_PROFILE sessions this hour (the 429 page).
   */
  async finish(req: Request, res: Response, result: AccountResult): Promise<void> {
    const { customer } = result;
    const base = centerPath(customer.slug);
    if (result.outcome !== 'signed_in' || result.profileId === null) {
      res.set('Cache-Control', 'no-store');
      res.redirect(303, `${base}?signin=cancelled`);
      return;
    }
    if (!customer.privacyCenter.isEnabled) return sendNoCenterPage(res);
    const wait = await this.deps.abuse.hit('account_sign_in_profile', result.profileId, this.deps.signInPerProfile, 3600);
    if (wait > 0) return sendTooManyAttemptsPage(res, wait);
    const { id } = await this.deps.sessions.create({ customerId: customer.id, slug: customer.slug, profileId: result.profileId, region: this.deps.region });
    res.cookie(ACCOUNT_COOKIE, id, {
      path: base,
      maxAge: this.deps.sessionMaxSeconds * 1000,
      httpOnly: true,
      sameSite: 'strict',
      secure: this.deps.isSecureRequest(req),
    });
    sendContinuePage(res, customer.slug);
  }
}

/** The center's path, the session cookie's. */
function centerPath(slug: string): string {
  return `/c/${encodeURIComponent(slug)}/account`;
}
