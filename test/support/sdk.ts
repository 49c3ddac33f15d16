import { App } from '../../src/app';
import { createClient } from '../../clients/typescript/src';
import { TEST_ADMIN_TOKEN } from './env';

/**
 * The integrator SDK pointed at a test app, with the operator token unless told otherwise: how
 * tests call the API, so the SDK and its documents are exercised on every run. No retries, so a
 * failure shows at once. (test/support/graphql.ts stays for deliberately malformed operations.)
 */
export function sdk(app: App, token: string = TEST_ADMIN_TOKEN) {
  return createClient({ url: `${app.url}/graphql`, token, retry: false });
}
