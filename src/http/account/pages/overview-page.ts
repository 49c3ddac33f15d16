import { escapeMarkup } from '../../../openid';
import type { AccountOverview } from '../../../privacy-center';
import type { MessageKey } from '../messages';
import { csrfField, formatTime, named, outcomeText, PageContext, pathOf, renderFrame, renderTable, text } from './page-frame';
import { renderActionSections } from './overview-actions';

/** A one-line outcome shown above the overview: what an action did, or why it changed nothing. */
export interface Notice {
  kind: 'done' | 'error';
  key: MessageKey;
  values?: Readonly<Record<string, string>>;
}

export interface OverviewPage {
  overview: AccountOverview;
  notice: Notice | null;
  /** The receipt link of a request (its token is the route's to make). */
  receiptHref(requestId: string): string;
}

/** A field's label in the page's language; an unknown name is shown as it is (escaped). */
export function fieldLabel(ctx: PageContext, field: string): string {
  return named(ctx, 'field', field);
}

function fieldList(ctx: PageContext, fields: readonly string[]): string {
  return fields.length === 0 ? text(ctx, 'sites.nothing') : fields.map((f) => fieldLabel(ctx, f)).join(', ');
}

/**
 * The notice as it still holds: "your download is being prepared" stays in the address after a
 * reload (`?done=export`), and is dropped once no export of the person is still being built.
 */
function currentNotice(page: OverviewPage): Notice | null {
  const { notice } = page;
  if (notice?.kind === 'done' && notice.key === 'done.export' && !page.overview.exports.some((e) => e.status === 'PENDING')) return null;
  return notice;
}

function noticeOf(ctx: PageContext, notice: Notice | null): string {
  if (!notice) return '';
  const field = notice.values?.field;
  const key = `field.${field}`;
  const values = field !== undefined ? { ...notice.values, field: ctx.messages.has(key) ? ctx.messages.t(key) : field } : notice.values;
  const role = notice.kind === 'error' ? 'alert' : 'status';
  return `<p class="notice${notice.kind === 'error' ? ' error' : ''}" role="${role}">${text(ctx, notice.key, values)}</p>`;
}

function dataSection(ctx: PageContext, o: AccountOverview): string {
  const rows = o.attributes.map((a) => [
    fieldLabel(ctx, a.field),
    a.value === null ? `<span class="muted">${text(ctx, 'data.empty')}</span>` : escapeMarkup(a.value),
    a.changedAt === null ? '' : text(ctx, `source.${a.source}`),
    a.changedAt === null ? '' : escapeMarkup(formatTime(ctx, a.changedAt)),
  ]);
  const restricted = o.isRestricted ? `<p class="notice error" role="status">${text(ctx, 'data.restrictedNotice')}</p>` : '';
  const headers = [text(ctx, 'data.field'), text(ctx, 'data.value'), text(ctx, 'data.source'), text(ctx, 'data.changed')];
  return `<section aria-labelledby="data-heading"><h2 id="data-heading">${text(ctx, 'data.heading')}</h2>
${restricted}${renderTable(headers, [[text(ctx, 'data.username'), escapeMarkup(o.username), '', ''], ...rows], { rowHeader: true })}
${correctionForm(ctx, o)}</section>`;
}

/** The correction form: editable fields only, and none while processing is restricted (nothing may change then). */
function correctionForm(ctx: PageContext, o: AccountOverview): string {
  if (o.editableFields.length === 0 || o.isRestricted) return '';
  const values = new Map(o.attributes.map((a) => [a.field, a.value]));
  const inputs = o.editableFields.map(
    (f) => `<label for="field-${f}">${fieldLabel(ctx, f)}</label><input type="text" id="field-${f}" name="${f}" value="${escapeMarkup(values.get(f) ?? '')}" maxlength="255">`,
  );
  return `<h3>${text(ctx, 'correct.heading')}</h3>
<form method="post" action="${escapeMarkup(pathOf(ctx, '/profile'))}">${csrfField(ctx)}
<p class="muted">${text(ctx, 'correct.hint')}</p>
${inputs.join('\n')}
<p><button type="submit">${text(ctx, 'correct.button')}</button></p>
</form>`;
}

function sitesSection(ctx: PageContext, o: AccountOverview): string {
  const rows = o.consents.map((c) => [
    escapeMarkup(c.realm),
    text(ctx, c.decision === 'ALLOW' ? 'sites.allowed' : 'sites.denied'),
    fieldList(ctx, c.grantedFields),
    escapeMarkup(formatTime(ctx, c.decidedAt)),
    c.isRemembered ? '✓' : '–',
    c.revokedAt !== null
      ? text(ctx, 'sites.withdrawn', { when: formatTime(ctx, c.revokedAt) })
      : `<form class="inline" method="post" action="${escapeMarkup(pathOf(ctx, `/consents/${encodeURIComponent(c.id)}/withdraw`))}">${csrfField(ctx)}<button type="submit" class="secondary">${text(ctx, 'sites.withdraw')}</button></form>`,
  ]);
  const headers = ['sites.site', 'sites.decision', 'sites.fields', 'sites.when', 'sites.remembered', 'sites.withdraw'] as const;
  const table = rows.length === 0 ? `<p>${text(ctx, 'sites.none')}</p>` : renderTable(headers.map((h) => text(ctx, h)), rows);
  return `<section aria-labelledby="sites-heading"><h2 id="sites-heading">${text(ctx, 'sites.heading')}</h2>\n${table}</section>`;
}

function signInsSection(ctx: PageContext, o: AccountOverview): string {
  const rows = o.signIns.map((s) => [
    escapeMarkup(formatTime(ctx, s.at)),
    s.isAccount ? text(ctx, 'signIns.thisCenter') : escapeMarkup(s.realm),
    s.isAccount ? '' : fieldList(ctx, s.releasedFields),
  ]);
  const headers = [text(ctx, 'signIns.when'), text(ctx, 'signIns.site'), text(ctx, 'signIns.released')];
  const table = rows.length === 0 ? `<p>${text(ctx, 'signIns.none')}</p>` : renderTable(headers, rows);
  return `<section aria-labelledby="sign-ins-heading"><h2 id="sign-ins-heading">${text(ctx, 'signIns.heading')}</h2>\n${table}</section>`;
}

function requestsSection(ctx: PageContext, page: OverviewPage): string {
  const rows = page.overview.requests.map((r) => [
    named(ctx, 'kind', r.kind),
    escapeMarkup(formatTime(ctx, r.receivedAt)),
    escapeMarkup(formatTime(ctx, r.dueAt)),
    `${named(ctx, 'status', r.status)}${r.isOverdue ? ` <strong>(${text(ctx, 'requests.overdue')})</strong>` : ''}`,
    r.outcome === null ? '' : outcomeText(ctx, r.outcome),
    `<a href="${escapeMarkup(page.receiptHref(r.id))}">${text(ctx, 'requests.receipt')}</a>`,
  ]);
  const headers = ['requests.kind', 'requests.received', 'requests.due', 'requests.status', 'requests.outcome', 'requests.receipt'] as const;
  const table = rows.length === 0 ? `<p>${text(ctx, 'requests.none')}</p>` : renderTable(headers.map((h) => text(ctx, h)), rows);
  return `<section aria-labelledby="requests-heading"><h2 id="requests-heading">${text(ctx, 'requests.heading')}</h2>\n${table}</section>`;
}

/** The signed-in overview: the person's data and every action on it, each a form that works without script. */
export function renderOverviewPage(ctx: PageContext, page: OverviewPage): string {
  const o = page.overview;
  const content = [
    `<h1>${text(ctx, 'page.title')}</h1>`,
    `<p>${text(ctx, 'page.intro')}</p>`,
    noticeOf(ctx, currentNotice(page)),
    dataSection(ctx, o),
    sitesSection(ctx, o),
    signInsSection(ctx, o),
    requestsSection(ctx, page),
    renderActionSections(ctx, o),
  ];
  return renderFrame(ctx, ctx.messages.t('page.title'), content.filter((c) => c !== '').join('\n'));
}
