import { escapeMarkup } from '../../../openid';
import type { PrivacyCenterDeletionMode } from '../../../customers';
import type { PrivacyRequestView } from '../../../privacy-center';
import type { MessageKey } from '../messages';
import { csrfField, formatTime, named, outcomeText, PageContext, pathOf, renderFrame, renderTable, text } from './page-frame';

/** The signed-out page: what the center is, and the sign-in button (a link to pc-flow's sign-in route). */
export function renderSignedOutPage(ctx: PageContext, notice: MessageKey | null): string {
  const content = `<h1>${text(ctx, 'page.title')}</h1>
${notice === null ? '' : `<p class="notice" role="status">${text(ctx, notice)}</p>`}
<section aria-labelledby="sign-in-heading"><h2 id="sign-in-heading">${text(ctx, 'signIn.heading')}</h2>
<p>${text(ctx, 'signIn.text')}</p>
<p><a class="button" href="${escapeMarkup(pathOf(ctx, '/sign-in'))}">${text(ctx, 'signIn.button')}</a></p>
</section>`;
  return renderFrame(ctx, ctx.messages.t('page.title'), content);
}

/** The deletion's confirmation step: a checkbox to tick, then the button; the form POSTs what the page GETs. */
export function renderDeletePage(ctx: PageContext, mode: PrivacyCenterDeletionMode, error: MessageKey | null): string {
  const content = `<h1>${text(ctx, 'delete.title')}</h1>
${error === null ? '' : `<p class="notice error" role="alert">${text(ctx, error)}</p>`}
<section>
<p>${text(ctx, mode === 'REVIEW' ? 'delete.textReview' : 'delete.textImmediate')}</p>
<form method="post" action="${escapeMarkup(pathOf(ctx, '/delete'))}">${csrfField(ctx)}
<label class="choice"><input type="checkbox" name="confirm" value="yes" required> ${text(ctx, 'delete.confirm')}</label>
<button type="submit" class="danger">${text(ctx, 'delete.button')}</button>
<a href="${escapeMarkup(pathOf(ctx, ''))}">${text(ctx, 'delete.cancel')}</a>
</form>
</section>`;
  return renderFrame(ctx, ctx.messages.t('delete.title'), content);
}

/**
 * A request's receipt, readable without a session and after the person's data is gone: what was
 * asked, when it was received and is due, its status and outcome, and for a completed deletion the
 * rows removed per table (counts only, nothing personal).
 */
export function renderReceiptPage(ctx: PageContext, request: PrivacyRequestView, removed: Readonly<Record<string, number>> | null): string {
  const row = (label: string, value: string) => `<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
  const rows = [
    row(text(ctx, 'receipt.request'), named(ctx, 'kind', request.kind)),
    row(text(ctx, 'receipt.reference'), `<code>${escapeMarkup(request.id)}</code>`),
    row(text(ctx, 'requests.received'), escapeMarkup(formatTime(ctx, request.receivedAt))),
    row(text(ctx, 'requests.due'), escapeMarkup(formatTime(ctx, request.dueAt))),
    row(text(ctx, 'requests.status'), named(ctx, 'status', request.status)),
    row(text(ctx, 'receipt.completed'), request.completedAt === null ? text(ctx, 'receipt.notYet') : escapeMarkup(formatTime(ctx, request.completedAt))),
    ...(request.outcome === null ? [] : [row(text(ctx, 'requests.outcome'), outcomeText(ctx, request.outcome))]),
  ];
  const counts = Object.entries(removed ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([table, count]) => [`<code>${escapeMarkup(table)}</code>`, escapeMarkup(String(count))]);
  const tables = removed === null ? '' : `<h2>${text(ctx, 'receipt.removed')}</h2>${renderTable([text(ctx, 'receipt.table'), text(ctx, 'receipt.rows')], counts)}`;
  const content = `<h1>${text(ctx, 'receipt.title')}</h1>
<section><p>${text(ctx, 'receipt.text')}</p>
<div class="scroll" tabindex="0"><table><tbody>${rows.join('\n')}</tbody></table></div>
${tables}
<p><a href="${escapeMarkup(pathOf(ctx, ''))}">${text(ctx, 'receipt.back')}</a></p></section>`;
  return renderFrame(ctx, ctx.messages.t('receipt.title'), content);
}
