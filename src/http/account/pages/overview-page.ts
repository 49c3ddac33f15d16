import { escapeMarkup } from '../../../openid';
import type { AccountOverview } from '../../../privacy-center';
import type { MessageKey } from '../messages';
import { csrfField, formatTime, named, PageContext, pathOf, renderFrame, text } from './page-frame';
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

function noticeOf(ctx: PageContext, notice: Notice | null): string {
  if (!notice) return '';
  const field = notice.values?.field;
  const key = `field.${field}`;
  const values = field !== undefined ? { ...notice.values, field: ctx.messages.has(key) ? ctx.messages.t(key) : field } : notice.values;
  const role = notice.kind === 'error' ? 'alert' : 'status';
  return `<p class="notice${notice.kind === 'error' ? ' error' : ''}" role="${role}">${text(ctx, notice.key, values)}</p>`;
}

function dataSection(ctx: PageContext, o: AccountOverview): string {
  const rows = o.attributes.map(
    (a) =>
      `<tr><th scope="row">${fieldLabel(ctx, a.field)}</th><td>${a.value === null ? `<span class="muted">${text(ctx, 'data.empty')}</span>` : escapeMarkup(a.value)}</td>` +
      `<td>${a.changedAt === null ? '' : text(ctx, `source.${a.source}`)}</td><td>${a.changedAt === null ? '' : escapeMarkup(formatTime(ctx, a.changedAt))}</td></tr>`,
  );
  const restricted = o.isRestricted ? `<p class="notice error" role="status">${text(ctx, 'data.restrictedNotice')}</p>` : '';
  return `<section aria-labelledby="data-heading"><h2 id="data-heading">${text(ctx, 'data.heading')}</h2>
${restricted}<div class="scroll" tabindex="0"><table>
<thead><tr><th scope="col">${text(ctx, 'data.field')}</th><th scope="col">${text(ctx, 'data.value')}</th><th scope="col">${text(ctx, 'data.source')}</th><th scope="col">${text(ctx, 'data.changed')}</th></tr></thead>
<tbody>
<tr><th scope="row">${text(ctx, 'data.username')}</th><td>${escapeMarkup(o.username)}</td><td></td><td></td></tr>
${rows.join('\n')}
</tbody></table></div>
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
  const rows = o.consents.map((c) => {
    const action =
      c.revokedAt !== null
        ? text(ctx, 'sites.withdrawn', { when: formatTime(ctx, c.revokedAt) })
        : `<form class="inline" method="post" action="${escapeMarkup(pathOf(ctx, `/consents/${encodeURIComponent(c.id)}/withdraw`))}">${csrfField(ctx)}<button type="submit" class="secondary">${text(ctx, 'sites.withdraw')}</button></form>`;
    return `<tr><td>${escapeMarkup(c.realm)}</td><td>${text(ctx, c.decision === 'ALLOW' ? 'sites.allowed' : 'sites.denied')}</td><td>${fieldList(ctx, c.grantedFields)}</td>` +
      `<td>${escapeMarkup(formatTime(ctx, c.decidedAt))}</td><td>${c.isRemembered ? '✓' : '–'}</td><td>${action}</td></tr>`;
  });
  const table = rows.length === 0
    ? `<p>${text(ctx, 'sites.none')}</p>`
    : `<div class="scroll" tabindex="0"><table><thead><tr><th scope="col">${text(ctx, 'sites.site')}</th><th scope="col">${text(ctx, 'sites.decision')}</th><th scope="col">${text(ctx, 'sites.fields')}</th><th scope="col">${text(ctx, 'sites.when')}</th><th scope="col">${text(ctx, 'sites.remembered')}</th><th scope="col"><span class="muted">${text(ctx, 'sites.withdraw')}</span></th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
  return `<section aria-labelledby="sites-heading"><h2 id="sites-heading">${text(ctx, 'sites.heading')}</h2>\n${table}</section>`;
}

function signInsSection(ctx: PageContext, o: AccountOverview): string {
  const rows = o.signIns.map(
    (s) =>
      `<tr><td>${escapeMarkup(formatTime(ctx, s.at))}</td><td>${s.isAccount ? text(ctx, 'signIns.thisCenter') : escapeMarkup(s.realm)}</td><td>${s.isAccount ? '' : fieldList(ctx, s.releasedFields)}</td></tr>`,
  );
  const table = rows.length === 0
    ? `<p>${text(ctx, 'signIns.none')}</p>`
    : `<div class="scroll" tabindex="0"><table><thead><tr><th scope="col">${text(ctx, 'signIns.when')}</th><th scope="col">${text(ctx, 'signIns.site')}</th><th scope="col">${text(ctx, 'signIns.released')}</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
  return `<section aria-labelledby="sign-ins-heading"><h2 id="sign-ins-heading">${text(ctx, 'signIns.heading')}</h2>\n${table}</section>`;
}

function requestsSection(ctx: PageContext, page: OverviewPage): string {
  const rows = page.overview.requests.map(
    (r) =>
      `<tr><td>${named(ctx, 'kind', r.kind)}</td><td>${escapeMarkup(formatTime(ctx, r.receivedAt))}</td><td>${escapeMarkup(formatTime(ctx, r.dueAt))}</td>` +
      `<td>${named(ctx, 'status', r.status)}</td><td>${r.outcome === null ? '' : escapeMarkup(r.outcome)}</td>` +
      `<td><a href="${escapeMarkup(page.receiptHref(r.id))}">${text(ctx, 'requests.receipt')}</a></td></tr>`,
  );
  const table = rows.length === 0
    ? `<p>${text(ctx, 'requests.none')}</p>`
    : `<div class="scroll" tabindex="0"><table><thead><tr><th scope="col">${text(ctx, 'requests.kind')}</th><th scope="col">${text(ctx, 'requests.received')}</th><th scope="col">${text(ctx, 'requests.due')}</th><th scope="col">${text(ctx, 'requests.status')}</th><th scope="col">${text(ctx, 'requests.outcome')}</th><th scope="col">${text(ctx, 'requests.receipt')}</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
  return `<section aria-labelledby="requests-heading"><h2 id="requests-heading">${text(ctx, 'requests.heading')}</h2>\n${table}</section>`;
}

/** The signed-in overview: the person's data and every action on it, each a form that works without script. */
export function renderOverviewPage(ctx: PageContext, page: OverviewPage): string {
  const o = page.overview;
  const content = [
    `<h1>${text(ctx, 'page.title')}</h1>`,
    `<p>${text(ctx, 'page.intro')}</p>`,
    noticeOf(ctx, page.notice),
    dataSection(ctx, o),
    sitesSection(ctx, o),
    signInsSection(ctx, o),
    requestsSection(ctx, page),
    renderActionSections(ctx, o),
  ];
  return renderFrame(ctx, ctx.messages.t('page.title'), content.filter((c) => c !== '').join('\n'));
}
