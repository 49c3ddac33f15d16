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
  signInToDashboard,
  STEP_TIMEOUT_MS,
  type DashboardTab,
  type DashboardWidth,
  type TabOptions,
} from './dashboard-browser';
export { signInAtRp, type Person, type SignInResult, type Sites } from './dashboard-people';
export { ACME_PERSONAL_VALUES, expectNoneShown, GLOBEX_VALUES, recordGraphql, type GraphqlCall } from './dashboard-assertions';
