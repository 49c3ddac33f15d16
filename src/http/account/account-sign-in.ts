import { Request, Response } from 'express';
import type { CustomerConfig } from '../../customers';
import type { FlowResult, IdentityFlowService } from '../../identity-flow';
import { AbuseGuard } from '../abuse';
import { LoginFlowMetrics, NO_LOGIN_FLOW_METRICS } from '../../observability/metrics';
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
  /** RATE_LIMIT_ACCOUNT_SIGN_IN_PER_ADDRESS: sign-ins one address may start per window and customer. */
  signInPerAddress: number;
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

  /** GET /c/:slug/account/sign-in: counted per address first (unknown slugs too), then the same 404 for no customer and a closed center. */
  async start(req: Request, res: Response): Promise<void> {
    const slug = slugOf(req);
    const wait = await this.deps.abuse.hit('account_sign_in', `${slug}:${this.deps.abuse.address(req)}`, this.deps.signInPerAddress);
    if (wait > 0) return sendTooManyAttemptsPage(res, wait);
    const customer = await this.deps.customers.bySlug(slug);
    if (!customer || !customer.privacyCenter.isEnabled) return sendNoCenterPage(res);
    const decision = await this.deps.flow.beginAccount(customer);
    if (decision.kind !== 'redirect') return sendNoCenterPage(res);
    (this.deps.loginFlow ?? NO_LOGIN_FLOW_METRICS).count({ step: 'started', outcome: 'ok', protocol: 'account' });
    sendHandoff(res, decision.location, decision.cookies ?? [], this.deps.isSecureRequest(req));
  }

  /**
   * The browser is back from the AW. Signed in: a new session (the AW just proved who this is), its
   * cookie, and a same-origin hop to the center (see sendContinuePage). Cancelled: back to the
   * center's start page, which says so. A center closed meanwhile opens no session.
   */
  async finish(req: Request, res: Response, result: AccountResult): Promise<void> {
    const { customer } = result;
    const base = `/c/${encodeURIComponent(customer.slug)}/account`;
    if (result.outcome !== 'signed_in' || result.profileId === null) {
      res.set('Cache-Control', 'no-store');
      res.redirect(303, `${base}?signin=cancelled`);
      return;
    }
    if (!customer.privacyCenter.isEnabled) return sendNoCenterPage(res);
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
