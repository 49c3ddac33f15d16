import type { OpenIdMessage } from '../message';
import type { ExtensionResponse } from './extension-response';

/**
 * Simple Registration 1.0/1.1 (docs/protocol.md#sreg): nine profile fields, requested by name in
 * `required`/`optional` comma lists and answered as `openid.<alias>.<field>`.
 */

export const SREG_NS_1_1 = 'http://openid.net/extensions/sreg/1.1';
export const SREG_NS_1_0 = 'http://openid.net/sreg/1.0';
/** Not in any spec, but DotNetOpenAuth accepts it and RPs send it. */
export const SREG_NS_1_1_ALT = 'http://openid.net/sreg/1.1';
/** Looked up in this order when a request declares more than one. */
export const SREG_NAMESPACES: readonly string[] = [SREG_NS_1_1, SREG_NS_1_1_ALT, SREG_NS_1_0];

export const SREG_FIELDS = [
  'nickname', 'email', 'fullname', 'dob', 'gender', 'postcode', 'country', 'language', 'timezone',
] as const;
export type SregField = (typeof SREG_FIELDS)[number];
export type SregValues = Partial<Record<SregField, string>>;

export interface SregRequest {
  /** The namespace URI the RP used; we answer under the same one (docs/protocol.md#sreg). */
  readonly namespace: string;
  readonly required: readonly SregField[];
  /** Optional fields, minus any also listed as required. */
  readonly optional: readonly SregField[];
  readonly policyUrl?: string;
}

export function isSregField(name: string): name is SregField {
  return (SREG_FIELDS as readonly string[]).includes(name);
}

function fieldList(text: string | undefined): SregField[] {
  const names = (text ?? '').split(',').map((name) => name.trim());
  return [...new Set(names.filter(isSregField))];
}

/**
 * The sreg request of a checkid message, or undefined if it declares no sreg namespace. Unknown
 * field names are ignored rather than failing the login (python-openid's non-strict mode); a
 * field listed as both required and optional counts as required.
 */
export function parseSregRequest(message: OpenIdMessage): SregRequest | undefined {
  for (const namespace of SREG_NAMESPACES) {
    const args = message.extensionArgs(namespace);
    if (args === undefined) continue;
    const required = fieldList(args.get('required'));
    const optional = fieldList(args.get('optional')).filter((field) => !required.includes(field));
    const policyUrl = args.get('policy_url');
    return policyUrl === undefined ? { namespace, required, optional } : { namespace, required, optional, policyUrl };
  }
  return undefined;
}

/**
 * The sreg response: every requested field we have a value for, once, in spec order. The
 * namespace is declared even when no value is released, telling the RP sreg was understood.
 */
export function buildSregResponse(request: SregRequest, values: SregValues): ExtensionResponse {
  const requested = new Set<SregField>([...request.required, ...request.optional]);
  const fields: Array<[string, string]> = [];
  for (const field of SREG_FIELDS) {
    const value = values[field];
    if (requested.has(field) && value !== undefined && value !== '') fields.push([field, value]);
  }
  return { namespace: request.namespace, alias: 'sreg', fields };
}

const MAX_SREG_VALUE_LENGTH = 1024;

function isTimeZone(name: string): boolean {
  // tz database names are Area/Location (or UTC). ICU also accepts abbreviations such as PST or
  // BST (which it reads as Asia/Dhaka), so those are refused before asking it.
  if (name !== 'UTC' && !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)+$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A date with unknown parts as 0 (sreg §4: `1980-00-00`) that some calendar day could have. */
function isPossibleDate(year: number, month: number, day: number): boolean {
  if (month > 12 || (month === 0 && day !== 0)) return false;
  if (day === 0) return true;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * [D] Brings an AW-supplied value into the sreg format (docs/protocol.md#sreg) or drops it (undefined):
 * `male/female` → `M/F`; `dob` only as `YYYY-MM-DD` (unknown parts `00`); countries as upper-case
 * ISO 3166 alpha-2; languages as ISO 639 (optionally with a region); time zones as tz names.
 * Empty, over-long or multi-line values are dropped: they cannot go into Key-Value form.
 */
export function normaliseSregValue(field: SregField, value: string): string | undefined {
  if (value === '' || value.length > MAX_SREG_VALUE_LENGTH || /[\r\n]/.test(value)) return undefined;
  switch (field) {
    case 'gender': {
      const gender = { m: 'M', male: 'M', f: 'F', female: 'F' }[value.trim().toLowerCase()];
      return gender;
    }
    case 'dob': {
      const match = /^(\d{4})-(\d\d)-(\d\d)$/.exec(value);
      return match !== null && isPossibleDate(Number(match[1]), Number(match[2]), Number(match[3])) ? value : undefined;
    }
    case 'country':
      return /^[A-Za-z]{2}$/.test(value) ? value.toUpperCase() : undefined;
    case 'language': {
      const match = /^([A-Za-z]{2,3})((?:-[A-Za-z0-9]{2,8})*)$/.exec(value);
      return match === null ? undefined : `${(match[1] as string).toLowerCase()}${match[2] ?? ''}`;
    }
    case 'timezone':
      return isTimeZone(value) ? value : undefined;
    case 'email':
      return /^[^\s@]+@[^\s@]+$/.test(value) ? value : undefined;
    default:
      return value;
  }
}
