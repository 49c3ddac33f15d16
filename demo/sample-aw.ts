import express, { Express, Response } from 'express';
import { isSregField, SregField } from '../src/openid';
import { checkPassword, DEMO_USERS, DemoUser } from './demo-users';
import { esc, field, sendPage, sendText } from './page';

/**
 * The sample Authenticating Website (AW): a site with its own login page that uses the service as
 * its OpenID provider. It plays steps 2-6 of docs/protocol.md#flow: shows its login form for the
 * request_id it was sent, checks the password, tells the service who logged in (the PostBack), and
 * sends the browser on to the Return URL once the service answered exactly 200.
 */
export interface SampleAwOptions {
  /** `{PUBLIC_URL}/c/{slug}/ows_auth` */
  postbackUrl: string;
  /** `{PUBLIC_URL}/c/{slug}/ows_return` */
  returnUrl: string;
  /** The customer's API key, sent with every PostBack and never shown or logged. */
  apiKey: string;
}

const SITE = 'Demo Website';
const POSTBACK_TIMEOUT_MS = 10_000;
/** Enough of an error body to explain a failure; the service's error bodies are one or two lines. */
const MAX_SHOWN_BODY = 2000;

interface LoginFormState {
  requestId: string;
  realm: string;
  requestedAttributes: string;
  /** The Verify URL's `purpose`: `account` when the person signs in to their privacy center, not to a site. */
  purpose: string;
  username?: string;
  error?: string;
}

export function createSampleAw(options: SampleAwOptions): Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/', (_req, res) => {
    sendPage(res, 200, SITE, SITE, '<p>This is the sample Authenticating Website. Sign-ins start at a relying party, which sends you here.</p>');
  });

  // Step 2: the service sends the browser here; every parameter but request_id is only a hint (§4.2).
  app.get('/verify', (req, res) => {
    const requestId = field(req.query, 'request_id');
    if (!requestId) return sendText(res, 400, 'error: missing_parameter request_id');
    showLoginForm(res, 200, {
      requestId,
      realm: field(req.query, 'realm') ?? '',
      requestedAttributes: field(req.query, 'requested_attributes') ?? '',
      purpose: field(req.query, 'purpose') ?? '',
    });
  });

  app.post('/login', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    const requestId = field(req.body, 'request_id');
    if (!requestId) return sendText(res, 400, 'error: missing_parameter request_id');
    const form: LoginFormState = {
      requestId,
      realm: field(req.body, 'realm') ?? '',
      requestedAttributes: field(req.body, 'requested_attributes') ?? '',
      purpose: field(req.body, 'purpose') ?? '',
    };
    let user: DemoUser | null = null;
    if (field(req.body, 'cancel') !== 'true') {
      const username = field(req.body, 'username') ?? '';
      user = checkPassword(username, field(req.body, 'password') ?? '');
      if (!user) return showLoginForm(res, 401, { ...form, username, error: 'Wrong username or password.' });
    }
    await postBack(res, options, form, user);
  });

  return app;
}

/** Steps 4-6: the PostBack, then the browser goes to the Return URL only after exactly HTTP 200 (§4.3). */
async function postBack(res: Response, options: SampleAwOptions, form: LoginFormState, user: DemoUser | null): Promise<void> {
  const body = new URLSearchParams({ request_id: form.requestId, api_key: options.apiKey, no_prompt: 'false' });
  if (user) {
    body.set('username', user.username);
    for (const name of requestedFields(form.requestedAttributes)) {
      const value = user.profile[name];
      if (value) body.set(`sreg_${name}`, value);
    }
  } else {
    body.set('cancel', 'true');
  }

  let status: number;
  let text: string;
  try {
    const answer = await fetch(options.postbackUrl, {
      method: 'POST',
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(POSTBACK_TIMEOUT_MS),
    });
    status = answer.status;
    text = await answer.text();
  } catch {
    return sendPage(res, 502, SITE, 'Sign-in failed', '<p>The identity service could not be reached. Please try again later.</p>');
  }
  if (status === 200) {
    const next = new URL(options.returnUrl);
    next.searchParams.set('request_id', form.requestId);
    return res.redirect(302, next.toString());
  }
  sendPage(
    res,
    502,
    SITE,
    'Sign-in failed',
    `<p>The identity service did not accept the sign-in: it answered HTTP ${status}.</p>\n<pre>${esc(text.slice(0, MAX_SHOWN_BODY))}</pre>`,
  );
}

/** The sreg fields named in `requested_attributes` (`sreg_email,sreg_nickname`, …); unknown names are ignored. */
function requestedFields(list: string): SregField[] {
  const names = list.split(',').map((name) => name.trim().replace(/^sreg_/, ''));
  return [...new Set(names.filter(isSregField))];
}

function showLoginForm(res: Response, status: number, form: LoginFormState): void {
  const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${esc(value)}">`;
  const describedBy = form.error ? ' aria-describedby="login-error" aria-invalid="true"' : '';
  const demoUsers = DEMO_USERS.map((u) => `<li><code>${esc(u.username)}</code> / <code>${esc(u.password)}</code></li>`).join('');
  // An account sign-in (the person's privacy center) says why; the service tells it by `purpose`.
  const isAccount = form.purpose === 'account';
  const html = [
    isAccount
      ? '<p>Sign in to see and manage the data held about you. No website receives your details.</p>'
      : form.realm
        ? `<p>Signing in to <strong>${esc(form.realm)}</strong></p>`
        : '<p>Signing in to a website that uses Demo Website accounts.</p>',
    form.error ? `<p class="error" role="alert" id="login-error">${esc(form.error)}</p>` : '',
    '<form method="post" action="/login">',
    hidden('request_id', form.requestId),
    hidden('realm', form.realm),
    hidden('requested_attributes', form.requestedAttributes),
    hidden('purpose', form.purpose),
    '<label for="username">Username</label>',
    `<input type="text" id="username" name="username" autocomplete="username" required value="${esc(form.username ?? '')}"${describedBy}>`,
    '<label for="password">Password</label>',
    `<input type="password" id="password" name="password" autocomplete="current-password" required${describedBy}>`,
    '<div><button type="submit">Sign in</button>',
    '<button type="submit" name="cancel" value="true" formnovalidate>Cancel</button></div>',
    '</form>',
    `<p>Demo accounts (username / password):</p><ul>${demoUsers}</ul>`,
  ];
  sendPage(res, status, SITE, isAccount ? 'Sign in to manage your data' : 'Sign in', html.join('\n'));
}
