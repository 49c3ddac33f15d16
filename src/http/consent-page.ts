import { domainToASCII, domainToUnicode } from 'node:url';
import { escapeMarkup } from '../openid';
import type { ConsentView } from '../identity-flow';
import { PAGE_STYLE } from './pages';

export type { ConsentView };

const LABELS: Record<string, string> = {
  nickname: 'Nickname',
  email: 'Email address',
  fullname: 'Full name',
  dob: 'Date of birth',
  gender: 'Gender',
  postcode: 'Postal code',
  country: 'Country',
  language: 'Language',
  timezone: 'Time zone',
};

/**
 * The realm's host as people read it (IDN decoded) next to the raw realm with its host in ASCII
 * (punycode), docs/protocol.md#consent: a look-alike host such as Cyrillic "аpple.com" shows up as
 * `xn--pple-43d.com` in the raw form.
 */
function describeRealm(realm: string): { readable: string; raw: string } {
  const match = /^(https?:\/\/)(\*\.)?([^/:?#]+)(.*)$/i.exec(realm);
  if (!match) return { readable: realm, raw: realm };
  const [, scheme, wildcard = '', host, rest] = match;
  const ascii = domainToASCII(host!.toLowerCase()) || host!;
  const readable = domainToUnicode(ascii) || ascii;
  return { readable: `${wildcard}${readable}`, raw: `${scheme}${wildcard}${ascii}${rest}` };
}

/**
 * Step 7, the consent page: accessible HTML that works without JavaScript. It names the site
 * (realm, never return_to), the identity, and each attribute with a checkbox.
 */
export function renderConsentPage(view: ConsentView): string {
  const realm = describeRealm(view.realm);
  // An OpenID Connect client is named by its registered name (and logo), with the site it sends you back to beside it.
  const asker = view.client ? view.client.name : realm.readable;
  const logo = view.client && consentLogoOrigin(view) ? `<p><img src="${escapeMarkup(view.client.logoUri!)}" alt="" width="64" height="64"></p>` : '';
  const rows = view.attributes
    .map(
      (a) => `<li><label><input type="checkbox" name="share" value="${escapeMarkup(a.field)}" checked> ${escapeMarkup(LABELS[a.field] ?? a.field)}: <strong>${escapeMarkup(a.value)}</strong>${a.isRequired ? ' <em>(required by the site)</em>' : ''}</label></li>`,
    )
    .join('\n');
  const policy =
    view.policyUrl && /^https?:\/\//i.test(view.policyUrl) ? `<p><a href="${escapeMarkup(view.policyUrl)}" rel="noopener noreferrer">The site's privacy policy</a></p>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Share your details with ${escapeMarkup(asker)}?</title>${PAGE_STYLE}</head>
<body>
<main>
${logo}<h1>Share your details with ${escapeMarkup(asker)}?</h1>
<p>You are signing in to <strong>${escapeMarkup(asker)}</strong>${view.client ? ` at <strong>${escapeMarkup(realm.readable)}</strong>` : ''} (<code>${escapeMarkup(realm.raw)}</code>) with your ${escapeMarkup(view.customerName)} account.</p>
<p>Your identity: <code>${escapeMarkup(view.identity)}</code></p>
<form method="post" action="${escapeMarkup(view.action)}">
<input type="hidden" name="auth_request" value="${escapeMarkup(view.authRequestId)}">
<input type="hidden" name="csrf" value="${escapeMarkup(view.csrf)}">
${view.attributes.length > 0 ? `<fieldset><legend>Details the site asked for</legend>\n<ul>\n${rows}\n</ul></fieldset>` : '<p>The site asked for no details beyond your identity.</p>'}
${policy}
${view.client?.offlineAccess ? `<p>${escapeMarkup(view.client.name)} also asks to <strong>keep access while you are away</strong> (offline access): it can renew its access to what you share until you sign out or withdraw this consent.</p>` : ''}
<p><label><input type="checkbox" name="remember" value="true"> Remember this decision for this site</label></p>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
</main>
</body>
</html>
`;
}

/** The origin the page may load the client's logo from (its CSP allows that one origin): https logos only. */
export function consentLogoOrigin(view: ConsentView): string | null {
  const uri = view.client?.logoUri;
  if (!uri) return null;
  try {
    const url = new URL(uri);
    return url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}
