import { Request, Response } from 'express';
import type { CustomerConfig } from '../../customers';
import type { SecretKeyRing } from '../../shared/secret-key-ring';
import { parseFormStrict, readBody, readCookie } from '../form';
import { isSameOrigin } from '../hygiene';
import { accountCsrfToken, isAccountCsrfValid } from './account-csrf';
import { AccountSession, AccountSessionStore } from './account-session.store';
import { sendFormRefusedPage, sendSessionEndedPage } from './sign-in-pages';

/** The session cookie: HttpOnly, SameSite=Strict, on `/c/{slug}/account` only. */
export const ACCOUNT_COOKIE = 'ids_account';

/** Forms of the center are small: a larger body is refused before it is read. */
export const ACCOUNT_FORM_LIMIT = 16 * 1024;

/** A live session of the request's customer: the cookie's id, what Redis holds, the forms' CSRF token, and the customer. */
export interface SignedIn {
  id: string;
  session: AccountSession;
  csrf: string;
  customer: CustomerConfig;
}

/** A form accepted by `requireForm`: its fields, in order, and the session that sent it. */
export interface AccountForm {
  pairs: Array<[string, string]>;
  signedIn: SignedIn;
}

export interface AccountGuardDeps {
  sessions: AccountSessionStore;
  customers: { bySlug(slug: string): Promise<CustomerConfig | null> };
  secretKeys: SecretKeyRing;
  /** PUBLIC_URL: a form must come from its origin. */
  publicUrl: string;
  /** The region this router serves; a session begun for another is none here. */
  region: string;
}

/**
 * Who is signed in to a privacy center, and whether a form may act for them. Routes under
 * `/c/:slug/account` ask `session(req)` on every page and `requireForm(req, res)` on every POST.
 * A session counts only at the customer (by id, not only slug) and region it was begun for, and
 * only while that customer's center is on: a cookie of customer A is nothing at customer B.
 */
export class AccountGuard {
  private readonly publicOrigin: string;

  constructor(private readonly deps: AccountGuardDeps) {
    this.publicOrigin = new URL(deps.publicUrl).origin;
  }

  /** The live session of the request's cookie at the path's customer (its idle time renewed), or null. */
  async session(req: Request): Promise<SignedIn | null> {
    const slug = slugOf(req);
    const id = readCookie(req, ACCOUNT_COOKIE);
    if (!slug || !id) return null;
    const session = await this.deps.sessions.touch(id);
    if (!session || session.slug !== slug || session.region !== this.deps.region) return null;
    const customer = await this.deps.customers.bySlug(slug);
    if (!customer || customer.id !== session.customerId || !customer.privacyCenter.isEnabled) return null;
    return { id, session, csrf: accountCsrfToken(this.deps.secretKeys, id), customer };
  }

  /**
   * A POST of the center, checked in order: it comes from our own pages (Sec-Fetch-Site, else
   * Origin: 403), a live session sent it (401), it is a web form of at most 16 KB (415, 413, 400),
   * and its `csrf` field is the session's token (403). Answers the form, or sends the refusal and
   * answers null: nothing has been done either way.
   */
  async requireForm(req: Request, res: Response): Promise<AccountForm | null> {
    if (!isSameOrigin(req, this.publicOrigin)) {
      sendFormRefusedPage(res, 403, 'This form was sent from another site. Nothing was changed.');
      return null;
    }
    const signedIn = await this.session(req);
    if (!signedIn) {
      sendSessionEndedPage(res, slugOf(req));
      return null;
    }
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
      sendFormRefusedPage(res, 415, 'The form was not sent as a web form. Nothing was changed.');
      return null;
    }
    const body = await readBody(req, ACCOUNT_FORM_LIMIT);
    if (body === 'too_large') {
      sendFormRefusedPage(res, 413, 'The form was too large. Nothing was changed.');
      return null;
    }
    let pairs: Array<[string, string]>;
    try {
      pairs = parseFormStrict(body);
    } catch {
      sendFormRefusedPage(res, 400, 'The form was not valid. Nothing was changed.');
      return null;
    }
    const csrf = pairs.filter(([key]) => key === 'csrf');
    if (csrf.length !== 1 || !isAccountCsrfValid(this.deps.secretKeys, csrf[0]![1], signedIn.id)) {
      sendFormRefusedPage(res, 403, 'This form has expired or was not issued to this browser. Reload the page and try again. Nothing was changed.');
      return null;
    }
    return { pairs, signedIn };
  }

}

/** The `:slug` of a center route ('' on a path without one). */
export function slugOf(req: Request): string {
  const slug = req.params.slug;
  return typeof slug === 'string' ? slug : '';
}

