import { isSregField, type SregField } from '../openid';
import { ValidationError } from '../shared/errors';
import { hasControlCharacters } from '../shared/url';
import { validateUrl } from './customer.validation';
import { PRIVACY_CENTER_LANGUAGES, PrivacyCenterLanguage, PrivacyCenterSettings } from './privacy-center-settings';

/** A change to a customer's privacy center; omitted fields stay as they are, null clears a nullable one. */
export interface PrivacyCenterCommand {
  isEnabled?: boolean | null;
  editableFields?: readonly string[] | null;
  deletionMode?: string | null;
  displayName?: string | null;
  logoUrl?: string | null;
  accentColor?: string | null;
  privacyPolicyUrl?: string | null;
  languages?: readonly string[] | null;
}

export const MAX_DISPLAY_NAME_LENGTH = 100;
const ACCENT_COLOR = /^#[0-9a-fA-F]{6}$/;

/**
 * `current` with `command` applied, every given field checked (the first wrong one is a
 * ValidationError naming it, BAD_USER_INPUT): editable fields are sreg fields; URLs absolute https
 * (http only on a loopback host, as every URL a customer configures); the colour `#rrggbb`; the
 * display name 1-100 characters without control characters; the languages offered ones, English
 * always first.
 */
export function applyPrivacyCenterCommand(current: PrivacyCenterSettings, command: PrivacyCenterCommand): PrivacyCenterSettings {
  const next: { -readonly [K in keyof PrivacyCenterSettings]: PrivacyCenterSettings[K] } = { ...current };
  if (command.isEnabled !== undefined) {
    if (command.isEnabled === null) throw new ValidationError('isEnabled', 'isEnabled cannot be null');
    next.isEnabled = command.isEnabled;
  }
  if (command.editableFields !== undefined) next.editableFields = editableFields(command.editableFields ?? []);
  if (command.deletionMode !== undefined) {
    if (command.deletionMode !== 'IMMEDIATE' && command.deletionMode !== 'REVIEW') throw new ValidationError('deletionMode', 'deletionMode must be IMMEDIATE or REVIEW');
    next.deletionMode = command.deletionMode;
  }
  if (command.displayName !== undefined) next.displayName = displayName(command.displayName);
  if (command.logoUrl !== undefined) next.logoUrl = optionalUrl('logoUrl', command.logoUrl);
  if (command.privacyPolicyUrl !== undefined) next.privacyPolicyUrl = optionalUrl('privacyPolicyUrl', command.privacyPolicyUrl);
  if (command.accentColor !== undefined) {
    if (command.accentColor !== null && !ACCENT_COLOR.test(command.accentColor)) throw new ValidationError('accentColor', 'accentColor must be a colour as #rrggbb');
    next.accentColor = command.accentColor === null ? null : command.accentColor.toLowerCase();
  }
  // Null offers English alone, the one language always there.
  if (command.languages !== undefined) next.languages = command.languages === null ? Object.freeze(['en'] as const) : languages(command.languages);
  return Object.freeze(next);
}

function editableFields(fields: readonly string[]): readonly SregField[] {
  const unknown = fields.find((f) => !isSregField(f));
  if (unknown !== undefined) throw new ValidationError('editableFields', `${JSON.stringify(unknown)} is not a profile field`);
  return Object.freeze([...new Set(fields as readonly SregField[])]);
}

function displayName(value: string | null): string | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_DISPLAY_NAME_LENGTH || hasControlCharacters(trimmed)) {
    throw new ValidationError('displayName', `displayName must be 1-${MAX_DISPLAY_NAME_LENGTH} characters without control characters`);
  }
  return trimmed;
}

function optionalUrl(field: string, value: string | null): string | null {
  return value === null ? null : validateUrl(field, value);
}

function languages(values: readonly string[]): readonly PrivacyCenterLanguage[] {
  const unknown = values.find((l) => !(PRIVACY_CENTER_LANGUAGES as readonly string[]).includes(l));
  if (unknown !== undefined) throw new ValidationError('languages', `${JSON.stringify(unknown)} is not an offered language (${PRIVACY_CENTER_LANGUAGES.join(', ')})`);
  if (!values.includes('en')) throw new ValidationError('languages', 'languages must include en');
  const chosen = new Set(values as readonly PrivacyCenterLanguage[]);
  return Object.freeze(['en', ...PRIVACY_CENTER_LANGUAGES.filter((l) => l !== 'en' && chosen.has(l))]);
}
