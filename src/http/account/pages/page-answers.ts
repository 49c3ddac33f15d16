import { Request, Response } from 'express';
import type { CustomerConfig, PrivacyCenterLanguage } from '../../../customers';
import { AccountGoneError, FieldNotEditableError } from '../../../privacy-center';
import { DomainError } from '../../../shared/errors';
import { MessageKey, messagesFor } from '../messages';
import { negotiateLanguage } from '../messages/negotiate';
import type { Notice } from './overview-page';
import { brandingOf, logoOrigin, PageContext } from './page-frame';

/**
 * Headers of every privacy center page: never cached (a person's data), never framed, no script
 * at all, forms only to this origin, images only from the customer's logo origin.
 */
export function setAccountPageHeaders(res: Response, ctx: PageContext): void {
  const images = logoOrigin(ctx.branding);
  res.set({
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Content-Language': ctx.messages.lang,
    Vary: 'Accept-Language, Cookie',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; script-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'${images ? `; img-src ${images}` : ''}`,
  });
}

export function sendPage(res: Response, status: number, ctx: PageContext, html: string): void {
  setAccountPageHeaders(res, ctx);
  res.status(status).type('html').send(html);
}

/** The page's language: `?lang=` when offered, else the browser's Accept-Language, else English. */
export function languageOf(req: Request, offered: readonly PrivacyCenterLanguage[]): PrivacyCenterLanguage {
  const asked = typeof req.query.lang === 'string' ? req.query.lang : undefined;
  return negotiateLanguage(offered, asked, req.headers['accept-language']);
}

/** The context of a customer's page; `csrf` only when signed in. */
export function contextOf(req: Request, customer: CustomerConfig, csrf: string | null): PageContext {
  const languages = customer.privacyCenter.languages;
  return { messages: messagesFor(languageOf(req, languages)), branding: brandingOf(customer), basePath: `/c/${customer.slug}/account`, languages, csrf };
}

/** The outcome flags a redirect back to the overview may carry (`?done=`), and the text each shows. */
export const DONE_NOTICES: Readonly<Record<string, MessageKey>> = Object.freeze({
  rectified: 'done.rectified',
  unchanged: 'done.unchanged',
  withdrawn: 'done.withdrawn',
  export: 'done.export',
  restricted: 'done.restricted',
  unrestricted: 'done.unrestricted',
  objected: 'done.objected',
});

/**
 * The one mapping of the center's domain errors to what the person sees: the status and the
 * message (in their language). Unknown errors are not mapped (the caller rethrows them).
 */
export function refusalOf(err: unknown): { status: number; notice: Notice } | null {
  if (err instanceof AccountGoneError) return null;
  if (err instanceof FieldNotEditableError) return { status: 400, notice: { kind: 'error', key: 'error.notEditable', values: { field: err.field } } };
  if (!(err instanceof DomainError)) return null;
  if (err.code === 'PROFILE_RESTRICTED') return { status: 400, notice: { kind: 'error', key: 'error.restricted' } };
  if (err.code === 'BAD_USER_INPUT') {
    const field = typeof err.details.field === 'string' ? err.details.field : '';
    return field === 'grounds'
      ? { status: 400, notice: { kind: 'error', key: 'error.grounds' } }
      : { status: 400, notice: { kind: 'error', key: 'error.invalidValue', values: { field } } };
  }
  if (err.code === 'NOT_FOUND') return { status: 404, notice: { kind: 'error', key: 'error.notFound' } };
  return null;
}
