import { escapeMarkup } from '../openid';
import { PAGE_STYLE } from './pages';

/** What the sign-out confirmation shows, and what its form posts back. */
export interface LogoutConfirmation {
  clientName: string;
  customerName: string;
  action: string;
  /** The logout request's own parameters, posted back unchanged. */
  params: ReadonlyArray<readonly [string, string]>;
  csrf: string;
}

/**
 * RP-Initiated Logout §2: the provider asks the person before it signs them out. Nothing changes
 * until they press the button; a page that merely loads (an image tag, a server holding an ID token)
 * signs nobody out.
 */
export function renderLogoutConfirmation(view: LogoutConfirmation): string {
  const hidden = view.params.map(([name, value]) => `<input type="hidden" name="${escapeMarkup(name)}" value="${escapeMarkup(value)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign out?</title>${PAGE_STYLE}</head>
<body>
<main>
<h1>Sign out?</h1>
<p><strong>${escapeMarkup(view.clientName)}</strong> asks to sign you out of your ${escapeMarkup(view.customerName)} account here. Every app you signed in to with it loses its access, and each is told to sign you out.</p>
<p>If you did not ask for this, close this page: nothing changes.</p>
<form method="post" action="${escapeMarkup(view.action)}">
${hidden}
<input type="hidden" name="csrf" value="${escapeMarkup(view.csrf)}">
<button type="submit" name="confirm" value="yes">Sign out</button>
</form>
</main>
</body>
</html>
`;
}
