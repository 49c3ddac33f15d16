import type { PrivacyCenterLanguage } from '../../../customers';
import { de } from './de';
import { Catalogue, en, MessageKey } from './en';

export type { Catalogue, MessageKey };

const CATALOGUES: Readonly<Record<PrivacyCenterLanguage, Catalogue>> = Object.freeze({ en, de });

/** A language's texts, with `t(key, values)` filling `{name}` placeholders (the caller escapes the result). */
export interface Messages {
  readonly lang: PrivacyCenterLanguage;
  t(key: MessageKey, values?: Readonly<Record<string, string>>): string;
  /** Whether `key` is a text of the catalogue (names built from data, such as `field.<name>`). */
  has(key: string): key is MessageKey;
}

export function messagesFor(lang: PrivacyCenterLanguage): Messages {
  const catalogue = CATALOGUES[lang];
  return {
    lang,
    t: (key, values = {}) => catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole),
    has: (key): key is MessageKey => Object.hasOwn(catalogue, key),
  };
}

/** Every catalogue, for the test that holds them to the same placeholders. */
export function catalogues(): Readonly<Record<PrivacyCenterLanguage, Catalogue>> {
  return CATALOGUES;
}
