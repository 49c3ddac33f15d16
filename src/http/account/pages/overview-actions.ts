import { escapeMarkup } from '../../../openid';
import { OBJECTION_GROUNDS, type AccountOverview } from '../../../privacy-center';
import { csrfField, formatTime, PageContext, pathOf, text } from './page-frame';

function exportSection(ctx: PageContext, o: AccountOverview): string {
  const items = o.exports.map((e) => {
    const requested = formatTime(ctx, e.requestedAt);
    if (e.isDownloadable && e.expiresAt) return `<li><a href="${escapeMarkup(pathOf(ctx, `/exports/${encodeURIComponent(e.id)}`))}">${text(ctx, 'export.ready', { when: formatTime(ctx, e.expiresAt) })}</a></li>`;
    if (e.status === 'PENDING') return `<li>${text(ctx, 'export.pending', { when: requested })}</li>`;
    return `<li class="muted">${text(ctx, 'export.unavailable', { when: requested })}</li>`;
  });
  return `<section aria-labelledby="export-heading"><h2 id="export-heading">${text(ctx, 'export.heading')}</h2>
<p>${text(ctx, 'export.text')}</p>
${items.length === 0 ? '' : `<ul>${items.join('')}</ul>`}
<form method="post" action="${escapeMarkup(pathOf(ctx, '/export'))}">${csrfField(ctx)}<button type="submit">${text(ctx, 'export.button')}</button></form>
</section>`;
}

function restrictionSection(ctx: PageContext, o: AccountOverview): string {
  const button = o.isRestricted
    ? `<input type="hidden" name="restricted" value="false"><button type="submit" class="secondary">${text(ctx, 'restrict.lift')}</button>`
    : `<input type="hidden" name="restricted" value="true"><button type="submit">${text(ctx, 'restrict.button')}</button>`;
  return `<section aria-labelledby="restrict-heading"><h2 id="restrict-heading">${text(ctx, 'restrict.heading')}</h2>
<p>${text(ctx, 'restrict.text')}</p>
<form method="post" action="${escapeMarkup(pathOf(ctx, '/restriction'))}">${csrfField(ctx)}${button}</form>
</section>`;
}

function objectionSection(ctx: PageContext): string {
  const choices = OBJECTION_GROUNDS.map(
    (g) => `<label class="choice"><input type="radio" name="grounds" value="${g}" required> ${text(ctx, `grounds.${g}`)}</label>`,
  );
  return `<section aria-labelledby="object-heading"><h2 id="object-heading">${text(ctx, 'object.heading')}</h2>
<p>${text(ctx, 'object.text')}</p>
<form method="post" action="${escapeMarkup(pathOf(ctx, '/objection'))}">${csrfField(ctx)}
<fieldset><legend>${text(ctx, 'object.grounds')}</legend>${choices.join('\n')}</fieldset>
<button type="submit">${text(ctx, 'object.button')}</button></form>
</section>`;
}

function deletionSection(ctx: PageContext): string {
  return `<section aria-labelledby="delete-heading"><h2 id="delete-heading">${text(ctx, 'delete.heading')}</h2>
<p><a class="button danger" href="${escapeMarkup(pathOf(ctx, '/delete'))}">${text(ctx, 'delete.link')}</a></p>
</section>`;
}

/** The overview's action sections: download, restriction, objection and the way to deletion. */
export function renderActionSections(ctx: PageContext, o: AccountOverview): string {
  return [exportSection(ctx, o), restrictionSection(ctx, o), objectionSection(ctx), deletionSection(ctx)].join('\n');
}
