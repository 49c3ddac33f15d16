import { Browser, consentForm, REALM, RETURN_URL } from './flow';
import { relyingParty } from './rp';

/**
 * One whole sign-in against a service at `baseUrl` (its PUBLIC_URL): the RP's checkid, the AW's
 * postback, the browser's return, consent (allow, share e-mail) and the RP's verification of the
 * positive assertion. Returns whether the RP ended up with an authenticated user.
 */
export async function fullLogin(baseUrl: string, slug: string, apiKey: string, username: string): Promise<boolean> {
  const rp = relyingParty({ returnUrl: RETURN_URL, realm: REALM, stateless: true, extensions: [] });
  const browser = new Browser();
  const hop = await browser.get(await rp.start(`${baseUrl}/c/${slug}/`));
  if (hop.status !== 302 || !hop.location) throw new Error(`checkid answered ${hop.status}`);
  const requestId = new URL(hop.location).searchParams.get('request_id')!;
  const posted = await fetch(`${baseUrl}/c/${slug}/ows_auth`, {
    method: 'POST',
    body: new URLSearchParams({ request_id: requestId, api_key: apiKey, username, sreg_email: `${username}@example.org`, no_prompt: 'false' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (posted.status !== 200) throw new Error(`postback answered ${posted.status}: ${await posted.text()}`);
  let answer = await browser.get(`${baseUrl}/c/${slug}/ows_return?request_id=${requestId}`);
  if (answer.status === 200) {
    const form = consentForm(answer.body);
    answer = await browser.postForm(`${baseUrl}/c/${slug}/ows_consent`, [
      ['auth_request', form.authRequest],
      ['csrf', form.csrf],
      ...form.shares.map((s): [string, string] => ['share', s]),
      ['decision', 'allow'],
    ]);
  }
  if (answer.status !== 302 || !answer.location) throw new Error(`return answered ${answer.status}`);
  const result = await rp.verify(answer.location);
  return result.authenticated === true;
}
