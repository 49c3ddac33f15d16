import { Browser, consentForm } from './flow';

/**
 * People signing in as the dashboard's data should come about: at the sample Relying Party, through
 * the service, at the sample Authenticating Website, on the service's consent page and back at the
 * RP (docs/protocol.md#flow). Over HTTP with a cookie-keeping browser (test/support/flow.ts), which
 * follows each hop by hand so that every step's answer is checked on the way.
 */
export interface Sites {
  /** The sample RP's origin (its realm is this plus `/`). */
  rpUrl: string;
  /** The sample AW's origin, or null when the test plays the AW (a user the sample AW does not know). */
  awUrl: string | null;
  /** The service's `{PUBLIC_URL}/c/{slug}`. */
  customerUrl: string;
  /** The customer's API key, for a PostBack the test makes itself (awUrl null). */
  apiKey: string;
}

export interface Person {
  /** A user of the sample AW (demo/demo-users.ts), or, with `awUrl` null, any username. */
  username?: string;
  password?: string;
  /** Cancels at the AW's login form instead of logging in. */
  isCancelling?: boolean;
  /** On the consent page, if it is shown (default allow). */
  decision?: 'allow' | 'deny';
  /** Ticks "Remember this decision for this site". */
  isRemembering?: boolean;
}

export interface SignInResult {
  /** Whether the service asked for consent (not when a remembered decision applies, nor after a cancel). */
  isConsentShown: boolean;
  /** What the RP showed at the end: "Signed in", "Sign-in cancelled", …, and its text. */
  rpPage: string;
}

export type Hop = Awaited<ReturnType<Browser['get']>>;

/** One person's whole sign-in; fails naming the step that answered other than expected. */
export async function signInAtRp(sites: Sites, person: Person): Promise<SignInResult> {
  const browser = new Browser();
  const verify = await toVerifyUrl(browser, sites);
  const atReturn = sites.awUrl === null ? await playAw(sites, verify, person) : await logInAtAw(browser, verify, person);
  let answer = await browser.get(atReturn);
  const isConsentShown = answer.status === 200;
  if (isConsentShown) {
    const form = consentForm(answer.body);
    answer = await browser.postForm(`${sites.customerUrl}/ows_consent`, [
      ['auth_request', form.authRequest],
      ['csrf', form.csrf],
      ...form.shares.map((s): [string, string] => ['share', s]),
      ...(person.isRemembering ? [['remember', 'true'] as [string, string]] : []),
      ['decision', person.decision ?? 'allow'],
    ]);
  }
  const atRp = expectRedirect(answer, 'the answer to the RP');
  const page = await browser.get(atRp);
  if (page.status !== 200) throw new Error(`the RP answered ${page.status} at ${atRp}: ${page.body.slice(0, 500)}`);
  return { isConsentShown, rpPage: page.body };
}

/**
 * Steps 1-2 only: the RP sends the browser to the service, which hands it to the AW. Answers the
 * AW's Verify URL (for a sign-in left there, e.g. to expire) and the browser.
 */
export async function toVerifyUrl(browser: Browser, sites: Sites): Promise<URL> {
  const start = await browser.postForm(`${sites.rpUrl}/login`, []);
  const checkid = expectRedirect(start, "the RP's redirect to the service");
  return new URL(expectRedirect(await browser.get(checkid), 'the hand-off to the AW'));
}

/** At the sample AW: its login form for `verify`, filled in (or cancelled); answers the Return URL it sends the browser to. */
export async function logInAtAw(browser: Browser, verify: URL, person: Person): Promise<string> {
  return expectRedirect(await submitAwForm(browser, verify, person), "the AW's redirect to the Return URL");
}

/** Fills in the sample AW's login form for `verify` (or cancels it); answers the AW's answer, whatever it is. */
export async function submitAwForm(browser: Browser, verify: URL, person: Person): Promise<Hop> {
  const form = await browser.get(verify.toString());
  if (form.status !== 200) throw new Error(`the AW's Verify page answered ${form.status}: ${form.body.slice(0, 500)}`);
  const fields: Array<[string, string]> = ['request_id', 'realm', 'requested_attributes'].map((name) => [name, hiddenValue(form.body, name)]);
  if (person.isCancelling) fields.push(['cancel', 'true'], ['username', ''], ['password', '']);
  else fields.push(['username', person.username ?? ''], ['password', person.password ?? '']);
  return browser.postForm(`${verify.origin}/login`, fields);
}

/** The AW's part played by the test: a PostBack for any username, then the Return URL. */
async function playAw(sites: Sites, verify: URL, person: Person): Promise<string> {
  const requestId = verify.searchParams.get('request_id')!;
  const fields: Record<string, string> = person.isCancelling ? { cancel: 'true' } : { username: person.username ?? '', sreg_email: `${person.username}@example.org`, sreg_nickname: person.username ?? '' };
  const res = await fetch(`${sites.customerUrl}/ows_auth`, { method: 'POST', body: new URLSearchParams({ request_id: requestId, api_key: sites.apiKey, no_prompt: 'false', ...fields }) });
  if (res.status !== 200) throw new Error(`the PostBack answered ${res.status}: ${await res.text()}`);
  return `${sites.customerUrl}/ows_return?request_id=${encodeURIComponent(requestId)}`;
}

function expectRedirect(hop: Hop, what: string): string {
  if (hop.status !== 302 || !hop.location) throw new Error(`expected ${what}, got ${hop.status}: ${hop.body.slice(0, 500)}`);
  return hop.location;
}

/** A hidden input's value in the sample AW's form (escaped by demo/page.ts `esc`). */
function hiddenValue(html: string, name: string): string {
  const raw = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(html)?.[1];
  if (raw === undefined) throw new Error(`the AW's login form has no ${name}`);
  return raw.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
