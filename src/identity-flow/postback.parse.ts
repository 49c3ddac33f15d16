import type { KeyedHash } from '../shared/keyed-hash';
import { normaliseSregValue, SREG_FIELDS, SregField, SregValues } from '../openid';
import { hasControlCharacters } from '../shared/url';
import { PostbackRefusedError } from './identity-flow.errors';


/** Only these fields are read; anything else an AW posts (whole user rows, passwords) is ignored unseen. */
const KNOWN_FIELDS = ['request_id', 'api_key', 'no_prompt', 'username', 'cancel', 'blob', 'auth_time', 'auth_policies', 'under_13', ...SREG_FIELDS.map((f) => `sreg_${f}`)];

export interface PostbackCredentials {
  requestId: string;
  apiKey: string;
}

export type PostbackContent =
  | { kind: 'cancel' }
  | {
      kind: 'user';
      username: string;
      /** null when the AW did not say; the customer's prompt policy decides. */
      noPrompt: boolean | null;
      supplied: SregValues;
      /** Fields the AW sent that we could not normalise: logged by name, never by value. */
      dropped: SregField[];
      blob: string | null;
      authTime: Date | null;
      authPolicies: string[] | null;
      isMinor: boolean;
    };

/** The known fields of a postback, each at most once (repeats are refused, not guessed at). */
export function readKnownFields(pairs: ReadonlyArray<readonly [string, string]>): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [key, value] of pairs) {
    if (!KNOWN_FIELDS.includes(key)) continue;
    if (fields.has(key)) throw new PostbackRefusedError('DUPLICATE_PARAMETER', key);
    fields.set(key, value);
  }
  return fields;
}

export function readCredentials(fields: Map<string, string>): PostbackCredentials {
  const apiKey = fields.get('api_key') ?? '';
  // §4.3 order: the key is checked before anything about the request is revealed, so a missing
  // key is refused as INVALID_API_KEY even when request_id is missing too.
  if (apiKey === '') throw new PostbackRefusedError('INVALID_API_KEY');
  const requestId = fields.get('request_id') ?? '';
  if (requestId === '') throw new PostbackRefusedError('MISSING_PARAMETER', 'request_id');
  return { requestId, apiKey };
}

/**
 * A keyed hash (HMAC under a key derived from the stable SECRET_KEYS version) over the content fields, so a retried
 * identical postback can be told from a different one. Keyed because the fields are personal data
 * (a date of birth, an email): a plain digest stored beside the username would let anyone holding
 * a database dump confirm a guessed value, or find a date of birth in some 36,500 tries.
 */
export function postbackDigest(fields: Map<string, string>, hash: KeyedHash): string {
  const content = [...fields].filter(([key]) => key !== 'api_key').sort(([a], [b]) => (a < b ? -1 : 1));
  return hash(JSON.stringify(content));
}

const TRUE = ['true', '1'];
const FALSE = ['false', '0'];

function readBoolean(fields: Map<string, string>, key: string): boolean | null {
  const value = fields.get(key);
  if (value === undefined || value === '') return null;
  const lower = value.toLowerCase();
  if (TRUE.includes(lower)) return true;
  if (FALSE.includes(lower)) return false;
  throw new PostbackRefusedError('INVALID_PARAMETER', key);
}

/** A single-line value of at most `max` characters, or a refusal naming the field. */
function readLine(fields: Map<string, string>, key: string, max: number): string | null {
  const value = fields.get(key);
  if (value === undefined || value === '') return null;
  if (value.length > max || /[\r\n]/.test(value)) throw new PostbackRefusedError('INVALID_PARAMETER', key);
  return value;
}

/** Validates and normalises the content of a postback (docs/protocol.md#postback, §6.1). */
export function readContent(fields: Map<string, string>, now: Date): PostbackContent {
  const cancel = readBoolean(fields, 'cancel');
  const username = fields.get('username');
  if (cancel && username !== undefined && username !== '') throw new PostbackRefusedError('USERNAME_AND_CANCEL');
  if (cancel) return { kind: 'cancel' };
  if (username === undefined || username === '') throw new PostbackRefusedError('MISSING_PARAMETER', 'username');
  if (username.length > 255 || hasControlCharacters(username) || username === '.' || username === '..') {
    throw new PostbackRefusedError('INVALID_PARAMETER', 'username');
  }

  const supplied: SregValues = {};
  const dropped: SregField[] = [];
  for (const field of SREG_FIELDS) {
    const raw = readLine(fields, `sreg_${field}`, 1024);
    if (raw === null) continue;
    if (hasControlCharacters(raw)) throw new PostbackRefusedError('INVALID_PARAMETER', `sreg_${field}`);
    const value = normaliseSregValue(field, raw);
    if (value === undefined) dropped.push(field);
    else supplied[field] = value;
  }

  const blob = readLine(fields, 'blob', 4096);
  const authTimeText = readLine(fields, 'auth_time', 64);
  let authTime: Date | null = null;
  if (authTimeText !== null) {
    authTime = new Date(authTimeText);
    // Round-tripping through toISOString refuses dates the calendar rolls over (02-30, T24:00).
    const wellFormed = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(authTimeText);
    if (!wellFormed || Number.isNaN(authTime.getTime()) || authTime.toISOString().slice(0, 19) !== authTimeText.slice(0, 19) || authTime > now) {
      throw new PostbackRefusedError('INVALID_PARAMETER', 'auth_time');
    }
  }
  const policiesText = readLine(fields, 'auth_policies', 2048);
  const authPolicies = policiesText === null ? null : policiesText.split(' ').filter(Boolean);
  if (authPolicies?.some((uri) => !/^https?:\/\/\S+$/.test(uri))) throw new PostbackRefusedError('INVALID_PARAMETER', 'auth_policies');

  const isMinor = readBoolean(fields, 'under_13') === true || isUnder13(supplied.dob, now);
  return { kind: 'user', username, noPrompt: readBoolean(fields, 'no_prompt'), supplied, dropped, blob, authTime, authPolicies, isMinor };
}

/**
 * COPPA: a full date of birth less than 13 years ago marks a child. A partial date (`1980-00-00`)
 * counts by its year only when even the latest possible birthday makes the user 13 or older.
 */
export function isUnder13(dob: string | undefined, now: Date): boolean {
  const match = dob ? /^(\d{4})-(\d\d)-(\d\d)$/.exec(dob) : null;
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]) || 12;
  const day = Number(match[3]);
  // An unknown day counts as the month's last: the latest birthday the date allows.
  const thirteenth = day === 0 ? Date.UTC(year + 13, month, 0) : Date.UTC(year + 13, month - 1, day);
  return thirteenth > now.getTime();
}
