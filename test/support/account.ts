import { App } from '../../src/app';
import { changesDelivered, ownerSql } from './app';
import { Browser, postback } from './flow';

/**
 * The privacy center's sign-in (issue 22) as a browser and the customer's AW go through it: for the
 * tests of the center's sign-in, session and pages.
 */

/** Opens `slug`'s privacy center (settings as the customer row stores them; `isEnabled` defaults to true) and waits until the app has seen it. */
export async function enablePrivacyCenter(app: App, slug: string, settings: Record<string, unknown> = {}): Promise<void> {
  await ownerSql(`update customer set privacy_center = ?::jsonb where slug = ?`, [JSON.stringify({ isEnabled: true, ...settings }), slug]);
  await changesDelivered(app);
}

/** GET /c/{slug}/account/sign-in in `browser`: the hand-off to the Verify URL, its request_id. */
export async function startAccountSignIn(app: App, slug: string, browser = new Browser()) {
  const hop = await browser.get(`${app.url}/c/${slug}/account/sign-in`);
  if (hop.status !== 302 || !hop.location) throw new Error(`expected the hand-off redirect, got ${hop.status}: ${hop.body}`);
  const verify = new URL(hop.location);
  return { browser, hop, verify, requestId: verify.searchParams.get('request_id')! };
}

/**
 * The whole sign-in: the start, the AW's postback naming `username` (and any `fields`), the browser's
 * return (the page that continues to the center, setting the session cookie). Answers the browser,
 * now holding `ids_account`, and the return's answer.
 */
export async function signInToAccount(app: App, slug: string, apiKey: string, username = 'alice', fields: Record<string, string> = {}, browser = new Browser()) {
  const { requestId } = await startAccountSignIn(app, slug, browser);
  const pb = await postback(app, slug, { request_id: requestId, api_key: apiKey, username, ...fields });
  if (pb.status !== 200) throw new Error(`the postback was refused: ${pb.status} ${pb.body}`);
  const back = await browser.get(`${app.url}/c/${slug}/ows_return?request_id=${requestId}`);
  if (back.status !== 200 || !browser.cookie('ids_account')) throw new Error(`expected the account session, got ${back.status}: ${back.body}`);
  return { browser, requestId, back, sessionId: browser.cookie('ids_account')! };
}

/** The headers a same-origin form post of the center carries in a current browser. */
export function sameOrigin(app: App): Record<string, string> {
  return { 'sec-fetch-site': 'same-origin', origin: new URL(app.config.PUBLIC_URL).origin };
}
