import { escapeMarkup } from '../../../openid';
import type { CustomerConfig, PrivacyCenterLanguage } from '../../../customers';
import type { Messages } from '../messages';
import { ALREADY_ERASED_OUTCOME, ERASED_OUTCOME, EXPORT_READY_OUTCOME, REMOVED_OUTCOME } from '../../../privacy-requests';

/** How a customer's privacy center looks: its owner's name, logo, accent colour and policy link. */
export interface Branding {
  owner: string;
  logoUrl: string | null;
  accentColor: string | null;
  privacyPolicyUrl: string | null;
}

/** Where a page is and what it links to, besides its own content. */
export interface PageContext {
  messages: Messages;
  branding: Branding;
  /** `/c/{slug}/account`. */
  basePath: string;
  /** The languages the customer offers, English first. */
  languages: readonly PrivacyCenterLanguage[];
  /** The session's CSRF token; null on pages shown without a session (no sign-out button then). */
  csrf: string | null;
}

/** The colour used when a customer sets none. */
const DEFAULT_ACCENT = '#1d4ed8';
const LANGUAGE_NAMES: Readonly<Record<PrivacyCenterLanguage, string>> = { en: 'English', de: 'Deutsch' };

export function brandingOf(customer: CustomerConfig): Branding {
  const center = customer.privacyCenter;
  return { owner: center.displayName ?? customer.name, logoUrl: center.logoUrl, accentColor: center.accentColor, privacyPolicyUrl: center.privacyPolicyUrl };
}

/** The one origin a page may load images from (the logo's), or null: only an http(s) URL has one. */
export function logoOrigin(branding: Branding): string | null {
  if (!branding.logoUrl) return null;
  try {
    const url = new URL(branding.logoUrl);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}

/** A value for CSS: the setting only when it is exactly `#rrggbb` (settings are validated when written; this is the page's own check). */
export function accentOf(branding: Branding): string {
  return branding.accentColor !== null && /^#[0-9a-f]{6}$/i.test(branding.accentColor) ? branding.accentColor : DEFAULT_ACCENT;
}

/** Shorthand: a catalogue text, escaped. */
export function text(ctx: PageContext, key: Parameters<Messages['t']>[0], values?: Readonly<Record<string, string>>): string {
  return escapeMarkup(ctx.messages.t(key, { owner: ctx.branding.owner, ...values }));
}

/** The text of a name built from data (`kind.EXPORT`, `status.COMPLETED`), or the value itself (escaped) when the catalogue has none. */
export function named(ctx: PageContext, prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return ctx.messages.has(key) ? text(ctx, key) : escapeMarkup(value);
}

/** The service's own outcomes of a request, said in the page's language (an operator's note is shown as typed). */
const OUTCOMES: Readonly<Record<string, Parameters<Messages['t']>[0]>> = {
  [ERASED_OUTCOME]: 'outcome.erased',
  [ALREADY_ERASED_OUTCOME]: 'outcome.alreadyErased',
  [EXPORT_READY_OUTCOME]: 'outcome.exportReady',
  [REMOVED_OUTCOME]: 'outcome.removed',
};

/** A request's outcome as the person reads it: the service's own in their language, anything else escaped as it was written. */
export function outcomeText(ctx: PageContext, outcome: string): string {
  const key = OUTCOMES[outcome];
  return key === undefined ? escapeMarkup(outcome) : text(ctx, key);
}

/** A time as people of the page's language read it, in UTC (the page knows no time zone of the reader). */
export function formatTime(ctx: PageContext, at: Date): string {
  return `${new Intl.DateTimeFormat(ctx.messages.lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(at)} UTC`;
}

/**
 * A table whose rows stack into labelled blocks on a narrow screen: `headers` (escaped markup) head
 * the columns and label each cell (`data-label`); with `rowHeader` the first cell heads its row.
 */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, options: { rowHeader?: boolean } = {}): string {
  const label = (i: number) => headers[i]!.replace(/<[^>]*>/g, '');
  const body = rows.map(
    (cells) =>
      `<tr>${cells.map((cell, i) => (i === 0 && options.rowHeader ? `<th scope="row">${cell}</th>` : `<td data-label="${label(i)}">${cell}</td>`)).join('')}</tr>`,
  );
  return `<div class="scroll" tabindex="0"><table class="stack"><thead><tr>${headers.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>
<tbody>
${body.join('\n')}
</tbody></table></div>`;
}

/** The hidden CSRF field of every form. */
export function csrfField(ctx: PageContext): string {
  return ctx.csrf === null ? '' : `<input type="hidden" name="csrf" value="${escapeMarkup(ctx.csrf)}">`;
}

/** A path under the center; where more than one language is offered it names the page's, so the next page keeps it. */
export function pathOf(ctx: PageContext, suffix: string, query: Readonly<Record<string, string>> = {}): string {
  const params = new URLSearchParams(query);
  if (ctx.languages.length > 1) params.set('lang', ctx.messages.lang);
  const q = params.toString();
  return `${ctx.basePath}${suffix}${q === '' ? '' : `?${q}`}`;
}

/**
 * The pages' one style sheet. A table stacks into labelled rows on a phone; a wide one scrolls
 * sideways inside its `.scroll` box, which takes focus (tabindex=0) so a keyboard can scroll it too
 * (WCAG 2.1.1). Buttons never wrap inside a word, and a cell's words break inside only on a phone
 * (with `anywhere`, a laptop's table squeezed "Completed" to "Complete|d").
 */
function style(accent: string): string {
  return `<style>
:root{--accent:${accent}}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f5f6f8;color:#1d2330;line-height:1.45}
header{background:#fff;border-top:.4rem solid var(--accent);padding:1rem;display:flex;flex-wrap:wrap;align-items:center;gap:.75rem;justify-content:space-between}
header .brand{display:flex;align-items:center;gap:.75rem}header img{max-height:48px;max-width:160px}
main{max-width:60rem;margin:1rem auto;padding:0 .75rem}
section{background:#fff;padding:1rem;border-radius:.6rem;box-shadow:0 1px 3px rgba(0,0,0,.1);margin-bottom:1rem}
h1{font-size:1.35rem;margin:0}h2{font-size:1.15rem;margin-top:0}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #e3e6ec;vertical-align:top}td{overflow-wrap:break-word}
label{display:block;margin:.5rem 0 .2rem;font-weight:600}input[type=text]{width:100%;max-width:28rem;font-size:1rem;padding:.4rem;border:1px solid #9aa1ad;border-radius:.3rem}
.choice{font-weight:normal;display:flex;gap:.5rem;align-items:flex-start}
button,.button{font-size:1rem;padding:.5rem 1rem;border-radius:.4rem;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;text-decoration:none;display:inline-block;margin:.4rem .4rem 0 0;white-space:nowrap}
button.secondary{background:#fff;color:var(--accent)}.danger{background:#b91c1c;border-color:#b91c1c}
a{color:var(--accent)}.notice{padding:.75rem 1rem;border-radius:.5rem;margin-bottom:1rem;background:#ecfdf5;border:1px solid #10b981}
.notice.error{background:#fef2f2;border-color:#ef4444}.muted{color:#5b6270}
nav.languages a{margin-right:.5rem}form.inline{display:inline}
@media (max-width:40rem){.stack thead{position:absolute;left:-9999px}.stack tr{display:block;border-bottom:1px solid #e3e6ec;padding:.4rem 0}
.stack td,.stack th[scope=row]{display:block;border:0;padding:.15rem 0}.stack td:empty{display:none}
td{overflow-wrap:anywhere}
.stack td[data-label]::before{content:attr(data-label) ": ";font-weight:600}}
</style>`;
}

/** The language links: every offered language, the current one not a link. */
function languageLinks(ctx: PageContext): string {
  if (ctx.languages.length < 2) return '';
  const links = ctx.languages.map((l) =>
    l === ctx.messages.lang ? `<strong lang="${l}">${LANGUAGE_NAMES[l]}</strong>` : `<a lang="${l}" hreflang="${l}" href="${escapeMarkup(`${ctx.basePath}?lang=${l}`)}">${LANGUAGE_NAMES[l]}</a>`,
  );
  return `<nav class="languages" aria-label="${text(ctx, 'page.language')}">${links.join(' ')}</nav>`;
}

/** A whole page: the customer's header (logo, name, sign-out, languages), the content, the policy link. */
export function renderFrame(ctx: PageContext, title: string, content: string): string {
  const logo = logoOrigin(ctx.branding) ? `<img src="${escapeMarkup(ctx.branding.logoUrl!)}" alt="${text(ctx, 'page.logoAlt')}">` : '';
  const signOut =
    ctx.csrf === null
      ? ''
      : `<form class="inline" method="post" action="${escapeMarkup(`${ctx.basePath}/sign-out`)}">${csrfField(ctx)}<button type="submit" class="secondary">${text(ctx, 'page.signOut')}</button></form>`;
  const policy = ctx.branding.privacyPolicyUrl && /^https?:\/\//i.test(ctx.branding.privacyPolicyUrl)
    ? `<p><a href="${escapeMarkup(ctx.branding.privacyPolicyUrl)}" rel="noopener noreferrer">${text(ctx, 'page.privacyPolicy')}</a></p>`
    : '';
  return `<!DOCTYPE html>
<html lang="${ctx.messages.lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeMarkup(title)} – ${escapeMarkup(ctx.branding.owner)}</title>${style(accentOf(ctx.branding))}</head>
<body>
<header><div class="brand">${logo}<div><strong>${escapeMarkup(ctx.branding.owner)}</strong><br><span class="muted">${text(ctx, 'page.title')}</span></div></div>
<div>${languageLinks(ctx)}${signOut}</div></header>
<main>
${content}
${policy}
</main>
</body>
</html>
`;
}
