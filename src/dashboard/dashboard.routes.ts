import express, { Request, RequestHandler, Router } from 'express';
import type { AdminSessionStore } from '../admin';
import type { AbuseGuard } from '../http/abuse';
import { digestOf } from '../http/abuse';
import type { SessionGraphqlDeps } from '../graphql/session-http';
import type { SecretKeyRing } from '../shared/secret-key-ring';
import { FoundSession, findSession, hasValidCsrf, SESSION_COOKIE, cookieOptions } from './dashboard-guard';
import { DashboardRegion, dashboardSessionRoutes } from './dashboard-session.routes';
import { dashboardStatic } from './dashboard-static';
import { isSameOrigin } from '../http/hygiene';

/**
 * Every answer under /dashboard: the app's own files and API only, no inline script or style, never
 * framed, no referrer (issue 21, item 1). Replaces the stricter default of http/hygiene.ts.
 */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export interface DashboardRoutesDeps {
  regions: readonly DashboardRegion[];
  sessions: AdminSessionStore;
  secretKeys: SecretKeyRing;
  publicUrl: string;
  sessionTtlSeconds: number;
  signInPerAddress: number;
  graphqlPerToken: number;
  abuse: AbuseGuard;
  isSecureRequest(req: Request): boolean;
  /** Runs one GraphQL operation as the session's token (graphql/session-http.ts). */
  graphql(session: SessionGraphqlDeps): RequestHandler;
  /** The built app (npm run dashboard:build). */
  distDir: string;
}

/**
 * `/dashboard`: the operators' dashboard (issue 21), a web app on the generated client, and the API
 * it calls: `/dashboard/api/session` (sign-in, who is signed in, sign-out) and `/dashboard/api/graphql`
 * (GraphQL as the session's operator token, same-origin and with the session's CSRF token only).
 */
export function dashboardRoutes(deps: DashboardRoutesDeps): Router {
  const router = Router();
  const publicOrigin = new URL(deps.publicUrl).origin;
  router.use((req, res, next) => {
    res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
    const path = req.originalUrl.split('?')[0]!;
    if (req.path === '/' && !path.endsWith('/')) return res.redirect(308, `/dashboard/${req.originalUrl.slice(path.length)}`);
    next();
  });
  router.use('/api/session', dashboardSessionRoutes({ ...deps, publicOrigin }));

  const sessionOf = new WeakMap<Request, FoundSession>();
  const refuse = (res: express.Response, status: number, code: string, message: string) => {
    res.set('Cache-Control', 'no-store');
    res.status(status).json({ errors: [{ message, extensions: { code } }], extensions: { requestId: String(res.locals.requestId) } });
  };
  router.post(
    '/api/graphql',
    async (req, res, next) => {
      res.set('Cache-Control', 'no-store');
      if (!isSameOrigin(req, publicOrigin)) return refuse(res, 403, 'FORBIDDEN', 'This request did not come from the dashboard itself.');
      const found = await findSession(deps.sessions, req);
      if (!found) return refuse(res, 401, 'UNAUTHENTICATED', 'You are not signed in to the dashboard (or your session has ended): sign in again.');
      if (!hasValidCsrf(deps.secretKeys, req, found.id)) return refuse(res, 403, 'CSRF_TOKEN_INVALID', 'The X-CSRF-Token header is missing or is not this session\'s.');
      sessionOf.set(req, found);
      next();
    },
    // The limit of /graphql's per bearer token (RATE_LIMIT_GRAPHQL_PER_TOKEN), counted per operator token
    // on a counter of this route's own. Its 429 is the limiter's plain text; the page turns it into words.
    deps.abuse.limit('graphql', deps.graphqlPerToken, (req) => `token:${digestOf(`session:${sessionOf.get(req)!.session.tokenId}`)}`),
    express.json({ limit: '100kb' }),
    deps.graphql({
      sessionOf: (req) => sessionOf.get(req)?.session ?? null,
      endSession: async (req, res) => {
        const found = sessionOf.get(req);
        if (found) await deps.sessions.delete(found.id);
        res.clearCookie(SESSION_COOKIE, cookieOptions(deps.isSecureRequest(req)));
      },
    }),
  );
  router.use('/api', (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.status(404).json({ error: 'not_found', message: 'No such dashboard API route.' });
  });
  router.use(dashboardStatic(deps.distDir));
  return router;
}
