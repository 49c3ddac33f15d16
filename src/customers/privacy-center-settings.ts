import { isSregField, type SregField } from '../openid';

/** Whether a person's deletion request is carried out at once or waits in the customer's inbox for review. */
export type PrivacyCenterDeletionMode = 'IMMEDIATE' | 'REVIEW';

/** The languages the privacy center's pages are written in; English is always offered. */
export const PRIVACY_CENTER_LANGUAGES = ['en', 'de'] as const;
export type PrivacyCenterLanguage = (typeof PRIVACY_CENTER_LANGUAGES)[number];

/**
 * A customer's privacy center (`/c/{slug}/account`, issue 22): whether it is open, what people may
 * correct themselves, how deletion is handled, and how the pages look. Holds nothing personal.
 */
export interface PrivacyCenterSettings {
  readonly isEnabled: boolean;
  /** The profile fields people may correct on their page (the rest they can only see). */
  readonly editableFields: readonly SregField[];
  readonly deletionMode: PrivacyCenterDeletionMode;
  /** Shown as the page's owner; null shows the customer's name. */
  readonly displayName: string | null;
  /** An https image URL, or null for none. */
  readonly logoUrl: string | null;
  /** `#rrggbb`, or null for the default colour. */
  readonly accentColor: string | null;
  readonly privacyPolicyUrl: string | null;
  /** The languages offered, English first and always; the page picks one from the browser's Accept-Language. */
  readonly languages: readonly PrivacyCenterLanguage[];
}

export const DEFAULT_PRIVACY_CENTER: PrivacyCenterSettings = Object.freeze({
  isEnabled: false,
  editableFields: Object.freeze([]) as readonly SregField[],
  deletionMode: 'IMMEDIATE',
  displayName: null,
  logoUrl: null,
  accentColor: null,
  privacyPolicyUrl: null,
  languages: Object.freeze(['en']) as readonly PrivacyCenterLanguage[],
});

function isLanguage(value: unknown): value is PrivacyCenterLanguage {
  return (PRIVACY_CENTER_LANGUAGES as readonly unknown[]).includes(value);
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * The settings a customer row stores (its `privacy_center` JSON), with the default for anything
 * absent or not of its type: stored settings were validated when written, so this only fills gaps
 * (a customer created before the center existed stores `{}`: a closed center).
 */
export function privacyCenterOf(stored: unknown): PrivacyCenterSettings {
  const s = stored !== null && typeof stored === 'object' ? (stored as Record<string, unknown>) : {};
  const languages = Array.isArray(s.languages) ? s.languages.filter(isLanguage) : [];
  return Object.freeze({
    isEnabled: s.isEnabled === true,
    editableFields: Object.freeze(Array.isArray(s.editableFields) ? s.editableFields.filter((f): f is SregField => typeof f === 'string' && isSregField(f)) : []),
    deletionMode: s.deletionMode === 'REVIEW' ? 'REVIEW' : 'IMMEDIATE',
    displayName: textOrNull(s.displayName),
    logoUrl: textOrNull(s.logoUrl),
    accentColor: typeof s.accentColor === 'string' && /^#[0-9a-f]{6}$/i.test(s.accentColor) ? s.accentColor.toLowerCase() : null,
    privacyPolicyUrl: textOrNull(s.privacyPolicyUrl),
    languages: Object.freeze(['en', ...languages.filter((l) => l !== 'en')] as PrivacyCenterLanguage[]),
  });
}
