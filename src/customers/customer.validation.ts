import { ValidationError } from '../shared/errors';
import { checkConfiguredUrl, hasControlCharacters } from '../shared/url';
import { checkRealmSyntax } from '../openid';

/** Lower-case letters, digits and inner hyphens, 1–63 characters: safe in a URL path and a DNS label. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const MAX_TRUSTED_REALMS = 100;

export function validateSlug(slug: string): string {
  if (!SLUG_PATTERN.test(slug)) {
    throw new ValidationError('slug', 'slug must be 1-63 lower-case letters, digits or inner hyphens');
  }
  return slug;
}

export function validateName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200 || hasControlCharacters(trimmed)) {
    throw new ValidationError('name', 'name must be 1-200 characters without control characters');
  }
  return trimmed;
}

export function validateUrl(field: string, value: string): string {
  const checked = checkConfiguredUrl(value);
  if ('problem' in checked) throw new ValidationError(field, `${field} ${checked.problem}`);
  return checked.url.toString();
}

/** Each realm must parse as an OpenID realm and not be over-broad (OpenID 2.0 §9.2). */
export function validateTrustedRealms(realms: readonly string[]): string[] {
  if (realms.length > MAX_TRUSTED_REALMS) {
    throw new ValidationError('trustedRealms', `at most ${MAX_TRUSTED_REALMS} trusted realms`);
  }
  const unique = [...new Set(realms)];
  for (const realm of unique) {
    const problem = checkRealmSyntax(realm);
    if (problem) throw new ValidationError('trustedRealms', `trusted realm ${JSON.stringify(realm)} ${problem}`);
  }
  return unique;
}

/** Days of profile retention: null (off) or 1 to 100 years. */
export function validateRetentionDays(days: number | null): number | null {
  if (days === null) return null;
  if (!Number.isInteger(days) || days < 1 || days > 36500) throw new ValidationError('profileRetentionDays', 'profileRetentionDays must be a whole number of days from 1 to 36500, or null');
  return days;
}
