import { randomBytes } from 'node:crypto';
import { Request, Response, Router } from 'express';
import { ActorKind, type AuditRecord, type AuditService } from '../audit';
import { Database, NOBODY, platformScope } from '../db/scope';
import { AbuseGuard, sendTooManyRequests } from '../http/abuse';
import { readCookie, readFormParams } from '../http/form';
import type { OperatorTokenGrant, OperatorTokenService } from '../operators';
import type { SecretKeyRing } from '../shared/secret-key-ring';
import { csrfFor, isCsrfValid, isPlatformOwner, PRE_SESSION_COOKIE, principalOf, sameOriginOnly, SESSION_COOKIE, sessionRequired } from './admin-guard';
import { loginForm, logoutForm, paragraph, sendAdminPage } from './admin-pages';
import { AdminSession, AdminSessionStore } from './admin-session.store';
import { auditBoardActions, refuseDataChanges } from './board-audit';
import { BoardRegion, queueBoard } from './queue-board';

/** One served region, as the board's sign-in sees it: where its operator tokens are checked. */
export interface AdminRegion {
  region: string;
  db: Database;
  operatorTokens: Pick<OperatorTokenService, 'verifyOperatorToken' | 'activeGrant'>;
}

export interface AdminRoutesDeps {
  /** Every served region, home region first (operator tokens are looked up in each, as GraphQL does). */
  regions: readonly AdminRegion[];
  /** Every served region's queues. */
  queues: readonly BoardRegion[];
  sessions: AdminSessionStore;
  /** Board events join the home region's platform chain. */
  audit: { db: Database; service: Pick<AuditService, 'record'> };
  secretKeys: SecretKeyRing;
  publicUrl: string;
  sessionTtlSeconds: number;
  loginPerAddress: number;
  abuse: AbuseGuard;
  isSecureRequest(req: Request): boolean;
}

/** The sign-in form is small: a token of at most 200 characters and a CSRF token. */
const FORM_LIMIT = 4096;
const PRE_SESSION_SECONDS = 3600;
/** The abuse guard's name for wrong tokens at the sign-in form (counted, then locked out, per address). */
const LOGIN_ENDPOINT = 'admin_login';
const REFUSED = 'That token was not accepted.';

/**
 * `/admin`: the queue board (Bull Board at /admin/queues) for platform owners, behind a sign-in
 * form that turns an operator token into a server-side session (issue 20, item 3). Every changing
 * request must come from this origin (admin-guard.ts), the two forms carry CSRF tokens, and each
 * board action that succeeds is audited on the platform chain.
 */
export function adminRoutes(deps: AdminRoutesDeps): Router {
  const router = Router();
  const recordAudit = (event: AuditRecord) => deps.audit.db.run(platformScope('record a queue board event', { routine: true }), () => deps.audit.service.record(event));
  const guard = sessionRequired({ sessions: deps.sessions, activeGrant: (session) => activeGrant(deps.regions, session) });
  const cookieOptions = (req: Request) => ({ path: '/admin', httpOnly: true, sameSite: 'strict' as const, secure: deps.isSecureRequest(req) });

  router.use(sameOriginOnly(deps.publicUrl));
  router.get('/', (_req, res) => res.redirect(303, '/admin/queues'));

  const showLogin = (req: Request, res: Response, status: number, error: string | null) => {
    const pre = randomBytes(24).toString('base64url');
    res.cookie(PRE_SESSION_COOKIE, pre, { ...cookieOptions(req), maxAge: PRE_SESSION_SECONDS * 1000 });
    sendAdminPage(res, status, 'Queue board sign-in', loginForm(csrfFor(deps.secretKeys, 'login', pre), error));
  };
  router.get('/login', (req, res) => showLogin(req, res, 200, null));

  router.post('/login', deps.abuse.limit('admin_login', deps.loginPerAddress), async (req, res) => {
    const form = await readFormParams(req, FORM_LIMIT);
    const field = (name: string) => form?.find(([key]) => key === name)?.[1];
    if (form === null || !isCsrfValid(deps.secretKeys, field('csrf'), 'login', readCookie(req, PRE_SESSION_COOKIE))) {
      return sendAdminPage(res, 403, 'Sign-in form expired', paragraph('This sign-in form has expired or did not come from this site. Open it again.', { href: '/admin/login', text: 'Sign in' }));
    }
    const address = deps.abuse.address(req);
    const wait = await deps.abuse.lockedOut(LOGIN_ENDPOINT, null, address);
    if (wait > 0) return sendTooManyRequests(res, wait);
    const token = field('token')?.trim() ?? '';
    const found = token.length > 0 && token.length <= 200 ? await verify(deps.regions, token) : null;
    if (found === null) {
      await deps.abuse.failed(LOGIN_ENDPOINT, null, address);
      return showLogin(req, res, 401, REFUSED);
    }
    if (!isPlatformOwner(found.grant)) {
      return sendAdminPage(res, 403, 'Not allowed', paragraph('The queue board is for platform owners only: an operator token with the owner role that is not bound to a customer.'));
    }
    const expiresAt = Date.now() + deps.sessionTtlSeconds * 1000;
    const sessionId = await deps.sessions.create({ tokenId: found.grant.id, region: found.region, expiresAt });
    await recordAudit(signInEvent('queue_board.signed_in', found.grant.id));
    res.clearCookie(PRE_SESSION_COOKIE, cookieOptions(req));
    res.cookie(SESSION_COOKIE, sessionId, { ...cookieOptions(req), maxAge: deps.sessionTtlSeconds * 1000 });
    res.set('Cache-Control', 'no-store');
    res.redirect(303, '/admin/queues');
  });

  router.get('/logout', guard, (req, res) => {
    const principal = principalOf(req.headers)!;
    sendAdminPage(res, 200, 'Sign out of the queue board', logoutForm(csrfFor(deps.secretKeys, 'logout', principal.sessionId)));
  });
  router.post('/logout', guard, async (req, res) => {
    const principal = principalOf(req.headers)!;
    const form = await readFormParams(req, FORM_LIMIT);
    const csrf = form?.find(([key]) => key === 'csrf')?.[1];
    if (!isCsrfValid(deps.secretKeys, csrf, 'logout', principal.sessionId)) {
      return sendAdminPage(res, 403, 'Sign-out form expired', paragraph('This sign-out form has expired or did not come from this site.', { href: '/admin/logout', text: 'Sign out' }));
    }
    await deps.sessions.delete(principal.sessionId);
    await recordAudit(signInEvent('queue_board.signed_out', principal.tokenId));
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    sendAdminPage(res, 200, 'Signed out', paragraph('You have signed out of the queue board.', { href: '/admin/login', text: 'Sign in again' }));
  });

  router.use('/queues', guard, queueBoard(deps.queues, { before: refuseDataChanges, after: auditBoardActions(recordAudit) }));
  return router;
}

/** The first region that knows the token, with its grant; null when none does (or it is inactive). */
async function verify(regions: readonly AdminRegion[], token: string): Promise<{ region: string; grant: OperatorTokenGrant } | null> {
  for (const { region, db, operatorTokens } of regions) {
    const grant = await db.run(NOBODY, () => operatorTokens.verifyOperatorToken(token));
    if (grant) return { region, grant };
  }
  return null;
}

/** The session's token grant, re-read by id in the region that knows it. */
async function activeGrant(regions: readonly AdminRegion[], session: AdminSession): Promise<OperatorTokenGrant | null> {
  const region = regions.find((r) => r.region === session.region);
  if (!region) return null;
  return region.db.run(platformScope('check a queue board session', { routine: true }), () => region.operatorTokens.activeGrant(session.tokenId));
}

function signInEvent(action: string, tokenId: string): AuditRecord {
  return { customerId: null, action, target: { type: 'operator_token', id: tokenId }, details: { operatorTokenId: tokenId }, actor: { kind: ActorKind.OPERATOR, id: tokenId } };
}
