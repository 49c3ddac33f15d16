import { negotiateLanguage } from '../../../../src/http/account/messages/negotiate';
import { catalogues } from '../../../../src/http/account/messages';

describe('privacy center language (Accept-Language, RFC 9110 §12.5.4)', () => {
  const both = ['en', 'de'] as const;

  it('takes ?lang= when the customer offers it', () => {
    expect(negotiateLanguage(both, 'de', 'en')).toBe('de');
    expect(negotiateLanguage(both, 'DE', undefined)).toBe('de');
  });

  it('ignores ?lang= for a language not offered, and falls back to the header', () => {
    expect(negotiateLanguage(['en'], 'de', 'de')).toBe('en');
    expect(negotiateLanguage(both, 'fr', 'de')).toBe('de');
  });

  it('picks the highest quality the customer offers, then the earliest', () => {
    expect(negotiateLanguage(both, undefined, 'fr;q=0.9, de;q=0.8, en;q=0.7')).toBe('de');
    expect(negotiateLanguage(both, undefined, 'en;q=0.5, de')).toBe('de');
    expect(negotiateLanguage(both, undefined, 'de, en')).toBe('de');
    expect(negotiateLanguage(both, undefined, 'en, de')).toBe('en');
  });

  it('matches a regional range by its primary language', () => {
    expect(negotiateLanguage(both, undefined, 'de-CH')).toBe('de');
    expect(negotiateLanguage(both, undefined, 'de-AT;q=0.9,fr')).toBe('de');
  });

  it('never picks a language with q=0, nor a malformed entry', () => {
    expect(negotiateLanguage(both, undefined, 'de;q=0, fr')).toBe('en');
    expect(negotiateLanguage(both, undefined, 'de;q=2')).toBe('en');
    expect(negotiateLanguage(both, undefined, 'de;q=abc')).toBe('en');
    expect(negotiateLanguage(both, undefined, '<script>, de;q=0.1')).toBe('de');
  });

  it('answers English without a header, for *, and when the customer offers only English', () => {
    expect(negotiateLanguage(both, undefined, undefined)).toBe('en');
    expect(negotiateLanguage(both, undefined, '')).toBe('en');
    expect(negotiateLanguage(both, undefined, '*')).toBe('en');
    expect(negotiateLanguage(['en'], undefined, 'de')).toBe('en');
  });
});

describe('privacy center catalogues', () => {
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  it('give every key the same placeholders in every language', () => {
    const { en, de } = catalogues();
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect({ key, placeholders: placeholders(de[key]) }).toEqual({ key, placeholders: placeholders(en[key]) });
    }
  });

  it('translate: no German text is left in English (but for words that are the same)', () => {
    const { en, de } = catalogues();
    const same = (Object.keys(en) as Array<keyof typeof en>).filter((k) => en[k] === de[k]);
    expect(same).toEqual(['requests.status', 'grounds.PROFILING']);
  });
});
