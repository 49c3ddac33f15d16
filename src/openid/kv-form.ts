import { KvFormEncodingError, MalformedKvFormError } from './errors';

/**
 * Key-Value form (§4.1.1): `key:value\n` per pair. It is the body of every direct response and,
 * more importantly, the exact byte string every signature is computed over (§6.1), so encoding
 * must be exact and refuse anything ambiguous rather than "fix" it.
 */

export type KvPairs = Iterable<readonly [string, string]> | Readonly<Record<string, string>>;

function pairsOf(input: KvPairs): Iterable<readonly [string, string]> {
  return Symbol.iterator in input
    ? (input as Iterable<readonly [string, string]>)
    : Object.entries(input as Record<string, string>);
}

/**
 * Encodes pairs in the given order. Refuses (never escapes) a LF in a key or value and a ':' in
 * a key (§4.1.1): escaping would change the signed bytes and the RP would compute another MAC.
 * Empty keys are refused too: they cannot be told apart from a line that starts with ':'.
 * Duplicate keys are allowed here because a `signed` list may legitimately repeat a key.
 */
export function encodeKvForm(input: KvPairs): string {
  let out = '';
  for (const [key, value] of pairsOf(input)) {
    if (key.length === 0) throw new KvFormEncodingError('Key-Value form key is empty');
    if (key.includes('\n')) throw new KvFormEncodingError('Key-Value form key contains a line feed');
    if (key.includes(':')) throw new KvFormEncodingError('Key-Value form key contains a colon');
    if (value.includes('\n')) {
      throw new KvFormEncodingError(`Key-Value form value for ${JSON.stringify(key)} contains a line feed`);
    }
    out += `${key}:${value}\n`;
  }
  return out;
}

export interface KvParseOptions {
  /**
   * Strict (for requests we receive): a missing final LF, blank lines and whitespace around keys
   * or values are errors. Lenient (default, docs/protocol.md#vectors-kv, python-openid's behaviour):
   * they are tolerated, whitespace is trimmed, and `onWarning` hears about each.
   */
  readonly strict?: boolean;
  readonly onWarning?: (warning: string) => void;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A JS string with a lone surrogate has no UTF-8 form, so it cannot be an OpenID value (§4.1). */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

function decodeUtf8(input: string | Uint8Array): string {
  if (typeof input === 'string') {
    if (hasLoneSurrogate(input)) throw new MalformedKvFormError('Key-Value form is not valid UTF-8');
    return input;
  }
  try {
    return utf8.decode(input);
  } catch {
    throw new MalformedKvFormError('Key-Value form is not valid UTF-8');
  }
}

/**
 * Parses Key-Value form. Always rejects, in both modes: invalid UTF-8, a non-blank line without
 * ':', an empty key, and a repeated key (§4.1: "a message MUST NOT contain multiple parameters
 * with the same name"). A value keeps every ':' after the first (§4.1.1).
 */
export function parseKvForm(input: string | Uint8Array, options: KvParseOptions = {}): Map<string, string> {
  const text = decodeUtf8(input);
  const strict = options.strict ?? false;
  const lenient = (problem: string): void => {
    if (strict) throw new MalformedKvFormError(problem);
    options.onWarning?.(problem);
  };

  const values = new Map<string, string>();
  if (text.length === 0) return values;

  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lenient('Key-Value form does not end with a line feed');

  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    if (line.trim() === '') {
      lenient(`Key-Value form line ${lineNumber} is blank`);
      return;
    }
    const colon = line.indexOf(':');
    if (colon < 0) throw new MalformedKvFormError(`Key-Value form line ${lineNumber} has no colon`);
    const rawKey = line.slice(0, colon);
    const rawValue = line.slice(colon + 1);
    const key = rawKey.trim();
    const value = rawValue.trim();
    if (key !== rawKey || value !== rawValue) {
      lenient(`Key-Value form line ${lineNumber} has whitespace around its key or value`);
    }
    if (key.length === 0) throw new MalformedKvFormError(`Key-Value form line ${lineNumber} has an empty key`);
    if (values.has(key)) throw new MalformedKvFormError(`Key-Value form repeats a key on line ${lineNumber}`);
    values.set(key, value);
  });
  return values;
}
