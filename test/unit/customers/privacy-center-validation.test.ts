import { DEFAULT_PRIVACY_CENTER } from '../../../src/customers';
import { applyPrivacyCenterCommand } from '../../../src/customers/privacy-center.validation';
import { ValidationError } from '../../../src/shared/errors';

function fieldOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof ValidationError ? err.field : 'not a ValidationError';
  }
}

describe('privacy center settings changes', () => {
  it('keeps omitted fields, clears nullable ones given null, and normalises what it keeps', () => {
    const set = applyPrivacyCenterCommand(DEFAULT_PRIVACY_CENTER, {
      isEnabled: true,
      editableFields: ['email', 'nickname', 'email'],
      accentColor: '#A1B2C3',
      languages: ['de', 'en', 'de'],
      logoUrl: 'http://127.0.0.1:8080/logo.png',
    });
    expect(set).toEqual({ ...DEFAULT_PRIVACY_CENTER, isEnabled: true, editableFields: ['email', 'nickname'], accentColor: '#a1b2c3', languages: ['en', 'de'], logoUrl: 'http://127.0.0.1:8080/logo.png' });
    const next = applyPrivacyCenterCommand(set, { logoUrl: null, deletionMode: 'REVIEW' });
    expect(next).toEqual({ ...set, logoUrl: null, deletionMode: 'REVIEW' });
    expect(applyPrivacyCenterCommand(next, {})).toEqual(next);
    expect(applyPrivacyCenterCommand(next, { editableFields: null, languages: null })).toMatchObject({ editableFields: [], languages: ['en'] });
  });

  it('names the field of the first invalid value', () => {
    expect(fieldOf(() => applyPrivacyCenterCommand(DEFAULT_PRIVACY_CENTER, { deletionMode: 'LATER' }))).toBe('deletionMode');
    expect(fieldOf(() => applyPrivacyCenterCommand(DEFAULT_PRIVACY_CENTER, { editableFields: ['username'] }))).toBe('editableFields');
    expect(fieldOf(() => applyPrivacyCenterCommand(DEFAULT_PRIVACY_CENTER, { privacyPolicyUrl: 'http://acme.example/privacy' }))).toBe('privacyPolicyUrl');
    expect(fieldOf(() => applyPrivacyCenterCommand(DEFAULT_PRIVACY_CENTER, { accentColor: '#12345g' }))).toBe('accentColor');
    expect(fieldOf(() => applyPrivacyCenterCommand(DEFAULT_PRIVACY_CENTER, { displayName: 'x'.repeat(100) }))).toBeNull();
    expect(fieldOf(() => applyPrivacyCenterCommand(DEFAULT_PRIVACY_CENTER, { displayName: 'x'.repeat(101) }))).toBe('displayName');
    expect(fieldOf(() => applyPrivacyCenterCommand(DEFAULT_PRIVACY_CENTER, { languages: [] }))).toBe('languages');
  });
});
