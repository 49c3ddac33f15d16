import express, { Request, Response, Router } from 'express';
import { ActorKind, type AuditRecord, type AuditService } from '../audit';
import { customerScope, Database, NOBODY, platformScope } from '../db/scope';
import type { AbuseGuard } from '../http/abuse';
import type { AdminSessionStore } from '../admin';
import type { OperatorTokenGrant, OperatorTokenService } from '../operators';
import type { SecretKeyRing } from '../shared/secret-key-ring';
import { cookieOptions, csrfFor, findSession, hasValidCsrf, sendJson, SESSION_COOKIE } from './dashboard-guard';
import { isSameOrigin } from '../http/hygiene';

/** One served region, as the dashboard's sign-in sees it: where its operator tokens are checked and its events recorded. */
export interface DashboardRegion {
  region: string;
  db: Database;
  operatorTokens: Pick<OperatorTokenService, 'verifyOperatorToken' | 'enterActiveGrant'>;
  audit: Pick<AuditService, 'record'>;
}

export interface DashboardSessionDeps {
  /** Every served region, home region first (a token is looked up in each, as GraphQL does). */
  regions: readonly DashboardRegion[];
  sessions: AdminSessionStore;
  secretKeys: SecretKeyRing;
  publicOrigin: string;
  sessionTtlSeconds: number;
  signInPerAddress: number;
  abuse: AbuseGuard;
  isSecureRequest(req: Request): boolean;
}

/** A sign-in body is one token of at most 200 characters. */
const BODY_LIMIT = '4kb';
const MAX_TOKEN_LENGTH = 200;
/** The abuse guard's name for sign-in attempts (counted per address) and wrong tokens (then locked out, per address). */
const SIGN_IN_ENDPOINT = 'dashboard_sign_in';
const REFUSED = { error: 'invalid_token', message: 'That token was not accepted.' };
const SIGNED_OUT = { error: 'unauthenticated', message: 'You are not signed in to the dashboard (or your session has ended): sign in with an operator token.' };
const CROSS_SITE = { error: 'cross_site_request', message: 'This request did not come from the dashboard itself.' };

/**
 * `/dashboard/api/session` (issue 21, item 2): an operator pastes an operator token once (any role,
 * platform-wide or bound to a customer; never the bootstrap ADMIN_TOKEN) and gets an HttpOnly,
 * SameSite=Strict session cookie and the session's CSRF token; the browser never keeps the token.
 * GET answers who is signed in (re-checking the token), DELETE signs out (CSRF-protected). Sign-in
 * and sign-out are audited on the token's customer's chain, or the platform chain.
 */
export function dashboardSessionRoutes(deps: DashboardSessionDeps): Router {
  const router = Router();
  const json = express.json({ limit: BODY_LIMIT, type: () => true });
  const answer = (res: Response, sessionId: string, grant: OperatorTokenGrant, expiresAt: number) =>
    sendJson(res, 200, {
      operator: { id: grant.id, name: grant.name, role: grant.role, customerId: grant.customerId, scopes: grant.scopes },
      csrfToken: csrfFor(deps.secretKeys, sessionId),
      expiresAt: new Date(expiresAt).toISOString(),
    });

  router.get('/', async (req, res) => {
    const found = await findSession(deps.sessions, req);
    const region = found && deps.regions.find((r) => r.region === found.session.region);
    const grant = found && region ? await region.db.run(NOBODY, () => region.operatorTokens.enterActiveGrant(found.session.tokenId)) : null;
    if (!found || !grant) {
      if (found) await deps.sessions.delete(found.id);
      return sendJson(res, 401, SIGNED_OUT);
    }
    answer(res, found.id, grant, found.session.expiresAt);
  });

  router.post('/', async (req, res) => {
    if (!isSameOrigin(req, deps.publicOrigin)) return sendJson(res, 403, CROSS_SITE);
    const address = deps.abuse.address(req);
    const wait = await deps.abuse.admit(SIGN_IN_ENDPOINT, null, address, SIGN_IN_ENDPOINT, address, deps.signInPerAddress);
    if (wait > 0) return tooManyRequests(res, wait);
    const token = await readToken(json, req, res);
    if (token === null) return sendJson(res, 400, { error: 'invalid_request', message: 'Send a JSON body {"token": "<operator token>"} with content-type application/json.' });
    const found = token.length <= MAX_TOKEN_LENGTH ? await verify(deps.regions, token) : null;
    if (found === null) {
      await deps.abuse.failed(SIGN_IN_ENDPOINT, null, address);
      return sendJson(res, 401, REFUSED);
    }
    // Signing in again (another token, the same one) ends the session the browser held: no session
    // is left alive in Redis that nobody holds any more.
    const previous = await findSession(deps.sessions, req);
    if (previous) await deps.sessions.delete(previous.id);
    // Audited first: a sign-in whose record failed leaves no session behind.
    await recordEvent(found.region, found.grant, 'dashboard.signed_in');
    const expiresAt = Date.now() + deps.sessionTtlSeconds * 1000;
    const sessionId = await deps.sessions.create({ tokenId: found.grant.id, region: found.region.region, expiresAt });
    res.cookie(SESSION_COOKIE, sessionId, { ...cookieOptions(deps.isSecureRequest(req)), maxAge: deps.sessionTtlSeconds * 1000 });
    answer(res, sessionId, found.grant, expiresAt);
  });

  router.delete('/', async (req, res) => {
    if (!isSameOrigin(req, deps.publicOrigin)) return sendJson(res, 403, CROSS_SITE);
    const found = await findSession(deps.sessions, req);
    if (!found) return sendJson(res, 401, SIGNED_OUT);
    if (!hasValidCsrf(deps.secretKeys, req, found.id)) return sendJson(res, 403, { error: 'csrf_token_invalid', message: 'The X-CSRF-Token header is missing or is not this session\'s.' });
    await deps.sessions.delete(found.id);
    const region = deps.regions.find((r) => r.region === found.session.region);
    // A token revoked meanwhile has ended the session already (its revocation is audited): nothing more to record.
    const grant = region ? await region.db.run(NOBODY, () => region.operatorTokens.enterActiveGrant(found.session.tokenId)) : null;
    if (region && grant) await recordEvent(region, grant, 'dashboard.signed_out');
    res.clearCookie(SESSION_COOKIE, cookieOptions(deps.isSecureRequest(req)));
    res.set('Cache-Control', 'no-store');
    res.status(204).end();
  });

  return router;
}

/** The body's token, or null when the body is not `{"token": "<non-empty string>"}`. */
async function readToken(parse: express.RequestHandler, req: Request, res: Response): Promise<string | null> {
  if (!req.is('application/json')) return null;
  const parsed = await new Promise<boolean>((resolve) => void parse(req, res, (err?: unknown) => resolve(!err)));
  const token = parsed ? (req.body as { token?: unknown } | undefined)?.token : undefined;
  return typeof token === 'string' && token.trim().length > 0 ? token.trim() : null;
}

/** The first region that knows the token, with its grant; null when none does (or it is inactive). */
async function verify(regions: readonly DashboardRegion[], token: string): Promise<{ region: DashboardRegion; grant: OperatorTokenGrant } | null> {
  for (const region of regions) {
    const grant = await region.db.run(NOBODY, () => region.operatorTokens.verifyOperatorToken(token));
    if (grant) return { region, grant };
  }
  return null;
}

/** On the token's customer's chain when it is bound to one, else on the platform chain; the actor is the token. */
function recordEvent(region: DashboardRegion, grant: OperatorTokenGrant, action: string): Promise<void> {
  const event: AuditRecord = {
    customerId: grant.customerId,
    action,
    target: { type: 'operator_token', id: grant.id },
    details: { operatorTokenId: grant.id, role: grant.role },
    actor: { kind: ActorKind.OPERATOR, id: grant.id },
  };
  const scope = grant.customerId === null ? platformScope(`record ${action}`, { routine: true }) : customerScope(grant.customerId);
  return region.db.run(scope, () => region.audit.record(event));
}

/** 429 with Retry-After (RFC 6585 §4), in the API's JSON shape. */
function tooManyRequests(res: Response, retryAfterSeconds: number): void {
  res.set('Retry-After', String(retryAfterSeconds));
  sendJson(res, 429, { error: 'too_many_requests', message: `Too many sign-in attempts from this address: try again in ${retryAfterSeconds} seconds.` });
}
