import { App } from '../../src/app';
import { consentForm, postback, startLogin } from './flow';

/**
 * How a sign-in ends, each through the real flow (RP checkid, AW postback, browser return, consent
 * page): `no_prompt` an assertion without a consent page; `allow` / `allow_remember` / `deny` an
 * answer on the consent page; `aw_cancel` the AW posts a cancel; `early_return` the browser comes
 * back before any postback; `other_user` the AW logs in another user than the RP asked about;
 * `open` nothing after the hand-off (in progress until it expires).
 */
export type SignInEnding = 'no_prompt' | 'allow' | 'allow_remember' | 'deny' | 'aw_cancel' | 'early_return' | 'other_user' | 'open';

/** Runs one sign-in of `username` at `slug` to `ending` (at the app's clock); throws when a step answers otherwise. */
export async function signIn(app: App, slug: string, apiKey: string, ending: SignInEnding, username = 'alice'): Promise<void> {
  const identifier = ending === 'other_user' ? `${app.config.PUBLIC_URL}/c/${slug}/id/someone-else` : undefined;
  const { browser, requestId } = await startLogin(app, slug, {}, identifier);
  if (ending === 'open') return;
  const base = `${app.url}/c/${slug}`;
  if (ending !== 'early_return') {
    const fields: Record<string, string> = ending === 'aw_cancel'
      ? { request_id: requestId, api_key: apiKey, cancel: 'true' }
      : { request_id: requestId, api_key: apiKey, username, sreg_email: `${username}@example.org`, no_prompt: ending === 'no_prompt' || ending === 'other_user' ? 'true' : 'false' };
    const answered = await postback(app, slug, fields);
    if (answered.status !== 200) throw new Error(`postback answered ${answered.status}: ${answered.body}`);
  }
  const back = await browser.get(`${base}/ows_return?request_id=${requestId}`);
  if (ending === 'allow' || ending === 'allow_remember' || ending === 'deny') {
    if (back.status !== 200) throw new Error(`expected the consent page, got ${back.status}`);
    const form = consentForm(back.body);
    const answer = await browser.postForm(`${base}/ows_consent`, [
      ['auth_request', form.authRequest],
      ['csrf', form.csrf],
      ...form.shares.map((s): [string, string] => ['share', s]),
      ...(ending === 'allow_remember' ? [['remember', 'true'] as [string, string]] : []),
      ['decision', ending === 'deny' ? 'deny' : 'allow'],
    ]);
    if (answer.status !== 302) throw new Error(`consent answered ${answer.status}`);
    return;
  }
  if (back.status !== 302) throw new Error(`return answered ${back.status}: ${back.body}`);
}
