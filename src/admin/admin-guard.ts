import { Request, RequestHandler, Response } from 'express';
import { readCookie } from '../http/form';
import { csrfToken, isCsrfTokenValid } from '../identity-flow/binding';
import type { SecretKeyRing } from '../shared/secret-key-ring';
import type { OperatorTokenGrant } from '../operators';
import { OperatorRole } from '../operators';
import { AdminSession, AdminSessionStore } from './admin-session.store';
import { isSameOrigin } from '../http/hygiene';

/** The session cookie (Path=/admin) and the pre-session cookie the sign-in form's CSRF token is bound to. */
export const SESSION_COOKIE = 'ids_admin_session';
export const PRE_SESSION_COOKIE = 'ids_admin_pre';

/** Who is signed in to the board, for the audit hook (found by the request's headers object, see `signedIn`). */
export interface AdminPrincipal {
  tokenId: string;
  tokenName: string;
  sessionId: string;
}

/**
 * The principal of each request the guard let through, keyed by its headers object: the one thing
 * Bull Board hands its hooks that is the request's own (an async-local actor could be lost in the
 * body parser's stream callbacks; a header could be forged).
 */
const signedIn = new WeakMap<object, AdminPrincipal>();

export function principalOf(headers: object): AdminPrincipal | undefined {
  return signedIn.get(headers);
}

/** Only a platform-wide owner may use the board: an owner bound to a customer or any other role may not. */
export function isPlatformOwner(grant: OperatorTokenGrant): boolean {
  return grant.role === OperatorRole.OWNER && grant.customerId === null;
}

/** A form's CSRF token: an HMAC of what it is bound to (the pre-session cookie, or the session id) and its purpose. */
/**
 * The sign-in and sign-out forms' CSRF tokens: the consent form's keyed MAC (identity-flow/binding.ts),
 * under a purpose of their own, bound to the pre-session cookie or the session.
 */
export function csrfFor(keys: SecretKeyRing, purpose: 'login' | 'logout', boundTo: string): string {
  return csrfToken(keys, `admin-${purpose}`, boundTo);
}

export function isCsrfValid(keys: SecretKeyRing, token: unknown, purpose: 'login' | 'logout', boundTo: string | undefined): boolean {
  return typeof token === 'string' && !!boundTo && isCsrfTokenValid(keys, token, `admin-${purpose}`, boundTo);
}

/**
 * Cross-site request refusal for every request that changes something: a browser's fetch or form
 * post always says where it comes from, in Sec-Fetch-Site (current browsers) or Origin. A request
 * whose Sec-Fetch-Site is anything but same-origin, or which has none and an Origin other than
 * PUBLIC_URL's, is refused with 403 before any cookie is read. SameSite=Strict is a second guard.
 */
export function sameOriginOnly(publicUrl: string): RequestHandler {
  const origin = new URL(publicUrl).origin;
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    if (isSameOrigin(req, origin)) return next();
    res.set('Cache-Control', 'no-store');
    res.status(403).json({ error: 'cross_site_request', message: 'this request did not come from the queue board itself' });
  };
}

export interface SessionGuardDeps {
  sessions: AdminSessionStore;
  /** The token's grant while it is still active, in the region that knows it (admin.routes.ts). */
  activeGrant(session: AdminSession): Promise<OperatorTokenGrant | null>;
}

/**
 * Lets a request through only with a live session whose operator token is still active and still a
 * platform owner's, re-checked on every request (one primary-key read): a revoked token, or one
 * whose role changed, ends its sessions at the next request, not within some cache window. Not
 * signed in: the board's JSON API answers 401, a page 303 to the sign-in form.
 */
export function sessionRequired(deps: SessionGuardDeps): RequestHandler {
  return async (req, res, next) => {
    const sessionId = readCookie(req, SESSION_COOKIE);
    const session = await deps.sessions.find(sessionId);
    const grant = session ? await deps.activeGrant(session) : null;
    if (!session || !grant || !isPlatformOwner(grant)) {
      if (session && sessionId) await deps.sessions.delete(sessionId);
      return notSignedIn(req, res);
    }
    signedIn.set(req.headers, { tokenId: grant.id, tokenName: grant.name, sessionId: sessionId! });
    res.locals.admin = signedIn.get(req.headers);
    next();
  };
}

function notSignedIn(req: Request, res: Response): void {
  res.set('Cache-Control', 'no-store');
  if (req.method === 'GET' && !req.originalUrl.startsWith('/admin/queues/api/')) {
    res.redirect(303, '/admin/login');
    return;
  }
  res.status(401).json({ error: 'unauthenticated', message: 'sign in at /admin/login first' });
}
