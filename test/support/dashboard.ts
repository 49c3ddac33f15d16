import { setCookie } from './admin-board';

export interface DashboardSignIn {
  res: Response;
  body: Record<string, unknown>;
  /** The session cookie's value and its whole Set-Cookie line, when the sign-in set one. */
  session: string | null;
  sessionLine: string | null;
  /** The session's CSRF token, from a 200 answer. */
  csrf: string | null;
}

/**
 * Signs in to the dashboard as its page does: POST /dashboard/api/session with the token as JSON, from
 * the service's own origin (`headers` replace the same-origin markers when given).
 */
export async function signInToDashboard(baseUrl: string, token: string, headers: Record<string, string> = { origin: baseUrl }): Promise<DashboardSignIn> {
  const res = await fetch(`${baseUrl}/dashboard/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ token }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  const cookie = setCookie(res, 'ids_dashboard_session');
  return { res, body, session: cookie?.value || null, sessionLine: cookie?.line ?? null, csrf: typeof body.csrfToken === 'string' ? body.csrfToken : null };
}

export interface DashboardGraphqlResponse<T> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}

/**
 * One operation through /dashboard/api/graphql as the dashboard's page sends it: the session cookie,
 * the CSRF token and the same-origin marker (`headers` add to or replace them; a null session or csrf
 * leaves that one out).
 */
export async function dashboardGraphql<T = Record<string, unknown>>(
  baseUrl: string,
  auth: { session: string | null; csrf: string | null },
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<DashboardGraphqlResponse<T>> {
  const res = await fetch(`${baseUrl}/dashboard/api/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'sec-fetch-site': 'same-origin',
      ...(auth.session ? { cookie: `ids_dashboard_session=${auth.session}` } : {}),
      ...(auth.csrf ? { 'x-csrf-token': auth.csrf } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<DashboardGraphqlResponse<T>, 'status' | 'headers'>;
  return { status: res.status, headers: res.headers, ...body };
}

/**
 * What the dashboard's end-to-end tests stand on: a live service filled by real sign-ins
 * (dashboard-seed.ts) and the browser helpers (dashboard-browser.ts).
 */
export { startDashboardWorld, USERS, type DashboardCustomer, type DashboardTokens, type DashboardWorld, type DashboardWorldOptions, type Receiver } from './dashboard-seed';
export type { WorldIds } from './dashboard-ids';
export {
  AXE_TAGS,
  CHROMIUM,
  expectAccessible,
  launchBrowser,
  mainNavigation,
  openDashboard,
  openTab,
  SCREENSHOT_DIR,
  screenshot,
  scriptReadableState,
  // The browser's sign-in through the form; `signInToDashboard` above is the HTTP one (dash-server).
  signInToDashboard as signInThroughForm,
  STEP_TIMEOUT_MS,
  type DashboardTab,
  type DashboardWidth,
  type TabOptions,
} from './dashboard-browser';
export { signInAtRp, type Person, type SignInResult, type Sites } from './dashboard-people';
