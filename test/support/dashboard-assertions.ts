import type { Page } from 'playwright-core';
import { DEMO_USERS } from '../../demo/demo-users';

/**
 * Checks the dashboard's page tests share: which personal values a role must never be shown, and
 * what the page asked the API (to find the request id an error names, or a refused field).
 */

/**
 * Every personal value the dashboard world's sign-ins stored at acme: the sample AW's profiles of
 * alice and bob (demo/demo-users.ts, as released for the RP's email, nickname and fullname) and
 * what the test's AW posted for carol. Usernames are included: they are personal too.
 */
export const ACME_PERSONAL_VALUES: readonly string[] = [
  ...DEMO_USERS.flatMap((u) => [u.username, u.profile.email!, u.profile.fullname!]),
  'carol',
  'carol@example.org',
];

/** What only globex holds: no acme-bound operator may ever see it. */
export const GLOBEX_VALUES: readonly string[] = ['globex-only-user', 'globex-only-user@example.org'];

/**
 * Fails, naming `label`, if the page's document (its whole DOM, hidden parts and attributes too, not
 * only what is visible) contains any of `values` as a whole word, compared case-insensitively. Whole
 * words (not next to a letter, digit, `_` or `-`), so that "bob" is not found inside a random token
 * or a hashed file name.
 */
export async function expectNoneShown(page: Page, values: readonly string[], label: string): Promise<void> {
  const html = await page.content();
  const escape = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const found = values.filter((value) => new RegExp(`(?<![\\w-])${escape(value)}(?![\\w-])`, 'i').test(html));
  if (found.length > 0) throw new Error(`${label}: the page at ${page.url()} contains ${found.map((v) => JSON.stringify(v)).join(', ')}`);
}

export interface GraphqlCall {
  operationName: string | null;
  status: number;
  /** The service's X-Request-Id for the call (errors shown to the operator should name it). */
  requestId: string | null;
  /** Each error's path (joined with dots, or "-") and extensions.code. */
  errors: Array<{ path: string; code: string | null }>;
}

/**
 * Records every `/dashboard/api/graphql` call the page makes from now on, with its answer; the array fills as
 * answers arrive (wait for it with waitUntil). Calls whose body cannot be read are recorded without errors.
 */
export function recordGraphql(page: Page): GraphqlCall[] {
  const calls: GraphqlCall[] = [];
  page.on('response', async (response) => {
    if (new URL(response.url()).pathname !== '/dashboard/api/graphql') return;
    const request = response.request();
    let operationName: string | null = null;
    try {
      operationName = (JSON.parse(request.postData() ?? '{}') as { operationName?: string }).operationName ?? null;
    } catch {
      operationName = null;
    }
    let errors: GraphqlCall['errors'] = [];
    try {
      const body = (await response.json()) as { errors?: Array<{ path?: Array<string | number>; extensions?: { code?: string } }> };
      errors = (body.errors ?? []).map((e) => ({ path: e.path?.join('.') ?? '-', code: e.extensions?.code ?? null }));
    } catch {
      errors = [];
    }
    calls.push({ operationName, status: response.status(), requestId: response.headers()['x-request-id'] ?? null, errors });
  });
  return calls;
}
