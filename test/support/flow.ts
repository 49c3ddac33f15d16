import { App } from '../../src/app';
import { relyingParty, RpOptions } from './rp';

export const RETURN_URL = 'http://rp.example.org/finish?sid=7';
export const REALM = 'http://rp.example.org/';

/** One browser: keeps the cookies our service sets, follows nothing on its own. */
export class Browser {
  private readonly cookies = new Map<string, string>();

  async get(url: string, headers: Record<string, string> = {}) {
    return this.record(await fetch(url, { redirect: 'manual', headers: { ...this.headers(), ...headers } }));
  }

  /** `headers` adds to (or overrides) the cookies and content type: a page's Origin or Sec-Fetch-Site. */
  async postForm(url: string, fields: Array<[string, string]>, headers: Record<string, string> = {}) {
    return this.record(
      await fetch(url, { method: 'POST', redirect: 'manual', body: new URLSearchParams(fields), headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded', ...headers } }),
    );
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  private headers(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  private async record(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = pair!.split('=');
      this.cookies.set(name!.trim(), value.join('='));
    }
    return { status: res.status, location: res.headers.get('location'), headers: res.headers, body: await res.text() };
  }
}

/**
 * Steps 1-2 as an RP and a browser: the RP's checkid goes to our OP endpoint, which answers with
 * the AW's Verify URL. Returns the browser, the RP, and the parsed Verify URL.
 */
export async function startLogin(app: App, slug: string, rpOptions: Partial<RpOptions> = {}, identifier?: string) {
  const rp = relyingParty({ returnUrl: RETURN_URL, realm: REALM, stateless: true, ...rpOptions });
  const browser = new Browser();
  const hop = await browser.get(await rp.start(identifier ?? `${app.config.PUBLIC_URL}/c/${slug}/`));
  if (hop.status !== 302 || !hop.location) throw new Error(`expected the hand-off redirect, got ${hop.status}: ${hop.body}`);
  const verify = new URL(hop.location);
  return { rp, browser, verify, requestId: verify.searchParams.get('request_id')!, setCookie: hop.headers.getSetCookie() };
}

/** Step 4: the AW's server-to-server postback. */
export async function postback(app: App, slug: string, fields: Record<string, string> | Array<[string, string]>, contentType = 'application/x-www-form-urlencoded') {
  const res = await fetch(`${app.url}/c/${slug}/ows_auth`, {
    method: 'POST',
    body: new URLSearchParams(fields as Record<string, string>).toString(),
    headers: { 'content-type': contentType },
  });
  return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') };
}

/** Reads the hidden fields and checkboxes of the consent form. */
export function consentForm(html: string) {
  const hidden = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  const shares = [...html.matchAll(/name="share" value="([^"]+)"/g)].map((m) => m[1]!);
  return { authRequest: hidden('auth_request'), csrf: hidden('csrf'), shares };
}
