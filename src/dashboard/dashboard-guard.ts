import { Request, Response } from 'express';
import type { AdminSession, AdminSessionStore } from '../admin';
import { readCookie } from '../http/form';
import { csrfToken, isCsrfTokenValid } from '../identity-flow/binding';
import type { SecretKeyRing } from '../shared/secret-key-ring';

/** The session cookie, on Path=/dashboard only. */
export const SESSION_COOKIE = 'ids_dashboard_session';
/** The header every changing request carries the session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';
/** The CSRF MAC's purpose (identity-flow/binding.ts): a dashboard token is valid nowhere else. Never changes. */
const CSRF_PURPOSE = 'dashboard';

/** A session found by its cookie: the cookie's value (for the CSRF token and sign-out) and what Redis holds. */
export interface FoundSession {
  id: string;
  session: AdminSession;
}

/** The live session of the request's cookie, or null (none, unknown, expired, malformed). */
export async function findSession(sessions: AdminSessionStore, req: Request): Promise<FoundSession | null> {
  const id = readCookie(req, SESSION_COOKIE);
  const session = await sessions.find(id);
  return session && id ? { id, session } : null;
}

/** The session's CSRF token: the consent form's keyed MAC under the dashboard's own purpose, bound to the session id. */
export function csrfFor(keys: SecretKeyRing, sessionId: string): string {
  return csrfToken(keys, CSRF_PURPOSE, sessionId);
}

/** Whether the request's X-CSRF-Token is the one of its session (under any SECRET_KEYS version). */
export function hasValidCsrf(keys: SecretKeyRing, req: Request, sessionId: string): boolean {
  const token = req.headers[CSRF_HEADER];
  return typeof token === 'string' && token.length <= 200 && isCsrfTokenValid(keys, token, CSRF_PURPOSE, sessionId);
}

/** The session cookie's attributes: HttpOnly, SameSite=Strict, on /dashboard, Secure when the browser reached us over TLS. */
export function cookieOptions(isSecure: boolean): { path: string; httpOnly: true; sameSite: 'strict'; secure: boolean } {
  return { path: '/dashboard', httpOnly: true, sameSite: 'strict', secure: isSecure };
}

/** A JSON answer of the dashboard's API (`{ error, message }` for refusals), never cached. */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.set('Cache-Control', 'no-store');
  res.status(status).json(body);
}
