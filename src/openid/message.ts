import { OPENID1_NAMESPACES, OPENID2_NS, RESERVED_ALIASES } from './constants';
import { KvFormEncodingError, MalformedMessageError, UnsupportedVersionError } from './errors';
import { encodeKvForm, hasLoneSurrogate } from './kv-form';

/**
 * The OpenID message model (§4.1): an ordered map of keys *without* the `openid.` prefix
 * (`mode`, `ns.sreg`, `sreg.email`) to Unicode strings. Insertion order is kept because it is
 * the order we emit fields in, which keeps our responses reproducible.
 */

/**
 * What a transport hands us: URLSearchParams (keeps duplicates), a parsed body where repeated
 * keys became arrays (Express with `extended: false`), or plain pairs.
 */
export type RequestParams =
  | Iterable<readonly [string, string]>
  | Readonly<Record<string, string | readonly string[] | undefined>>;

const PREFIX = 'openid.';

function* flatten(params: RequestParams): Iterable<readonly [string, unknown]> {
  if (Symbol.iterator in params) {
    yield* params as Iterable<readonly [string, string]>;
    return;
  }
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    // A transport may hand over arrays for repeated keys, or (with nested parsers) objects.
    if (Array.isArray(value)) for (const item of value as unknown[]) yield [key, item];
    else yield [key, value];
  }
}

type Fail = (message: string) => never;

/** A key for an error message: prefixed, shortened, quoted (keys are attacker-chosen text). */
function named(key: string): string {
  return JSON.stringify(`${PREFIX}${key}`.slice(0, 80));
}

/**
 * Rules shared by messages we receive and messages we build: keys and values must survive
 * Key-Value form (§4.1.1, so every field can be signed) and extension aliases must follow §12.
 */
function validate(fields: ReadonlyMap<string, string>, fail: Fail): Map<string, string> {
  const aliasByUri = new Map<string, string>();
  for (const [key, value] of fields) {
    if (key.length === 0) fail('A message key is empty');
    if (key.includes('\n') || key.includes(':')) fail('A message key contains a line feed or a colon');
    if (value.includes('\n')) fail(`The value of ${named(key)} contains a line feed`);
    if (hasLoneSurrogate(key) || hasLoneSurrogate(value)) fail('A message field is not valid Unicode');
    if (!key.startsWith('ns.')) continue;
    const alias = key.slice(3);
    if (alias.length === 0 || alias.includes('.')) fail(`Invalid namespace alias in ${named(key)}`);
    if (RESERVED_ALIASES.has(alias)) fail(`Namespace alias in ${named(key)} is reserved`);
    if (value.length === 0) fail(`${named(key)} declares an empty namespace`);
    // §12: "A namespace MUST NOT be assigned more than one alias in the same message."
    if (aliasByUri.has(value)) fail(`The namespace of ${named(key)} already has another alias`);
    aliasByUri.set(value, alias);
  }
  return aliasByUri;
}

export class OpenIdMessage {
  private readonly aliasByUri: ReadonlyMap<string, string>;

  private constructor(
    private readonly fields: ReadonlyMap<string, string>,
    fail: Fail,
  ) {
    this.aliasByUri = validate(fields, fail);
  }

  /** True when the parameters carry `openid.mode`; otherwise it is not an OpenID request (§4.1.2). */
  static hasMode(params: RequestParams): boolean {
    for (const [key] of flatten(params)) if (key === `${PREFIX}mode`) return true;
    return false;
  }

  /**
   * Parses a request (GET query or POST body). Only `openid.*` keys belong to the message; others
   * are the RP's business and ignored. Rejects repeated keys (§4.1), LF in keys/values, and any
   * version but 2.0: an absent `openid.ns` or a 1.x one means compatibility mode (§4.1.2), which we
   * do not offer (docs/protocol.md#openid-1-1).
   */
  static fromParams(params: RequestParams): OpenIdMessage {
    const fail: Fail = (message) => {
      throw new MalformedMessageError(message);
    };
    const fields = new Map<string, string>();
    for (const [fullKey, value] of flatten(params)) {
      if (!fullKey.startsWith(PREFIX)) continue;
      const key = fullKey.slice(PREFIX.length);
      if (fields.has(key)) fail(`Parameter ${named(key)} is repeated`);
      if (typeof value !== 'string') fail(`Parameter ${named(key)} is not a string`);
      fields.set(key, value);
    }
    const ns = fields.get('ns');
    if (ns === undefined || OPENID1_NAMESPACES.includes(ns)) throw new UnsupportedVersionError();
    if (ns !== OPENID2_NS) throw new UnsupportedVersionError('openid.ns is not a known OpenID version');
    return new OpenIdMessage(fields, fail);
  }

  /** Builds a message we are about to send; breaking §4.1.1 or §12 here is our own bug. */
  static fromFields(pairs: Iterable<readonly [string, string]>): OpenIdMessage {
    const fields = new Map<string, string>();
    for (const [key, value] of pairs) {
      if (fields.has(key)) throw new KvFormEncodingError(`Field ${key} is set twice`);
      fields.set(key, value);
    }
    return new OpenIdMessage(fields, (message) => {
      throw new KvFormEncodingError(message);
    });
  }

  get(key: string): string | undefined {
    return this.fields.get(key);
  }

  has(key: string): boolean {
    return this.fields.has(key);
  }

  get mode(): string | undefined {
    return this.fields.get('mode');
  }

  entries(): IterableIterator<[string, string]> {
    return new Map(this.fields).entries();
  }

  keys(): string[] {
    return [...this.fields.keys()];
  }

  /** The alias the sender chose for an extension namespace URI (§12), if declared. */
  aliasFor(namespaceUri: string): string | undefined {
    return this.aliasByUri.get(namespaceUri);
  }

  /**
   * Fields of the extension with this namespace, keyed relative to its alias: `openid.sreg.email`
   * → `email`, a bare `openid.sreg` → `''` (§12: "followed by a period or the end of the key").
   */
  extensionArgs(namespaceUri: string): Map<string, string> | undefined {
    const alias = this.aliasByUri.get(namespaceUri);
    if (alias === undefined) return undefined;
    const args = new Map<string, string>();
    for (const [key, value] of this.fields) {
      if (key === alias) args.set('', value);
      else if (key.startsWith(`${alias}.`)) args.set(key.slice(alias.length + 1), value);
    }
    return args;
  }

  /** A copy with `key` set; an existing key keeps its position. */
  with(key: string, value: string): OpenIdMessage {
    return OpenIdMessage.fromFields(new Map(this.fields).set(key, value));
  }

  /** Key-Value form of the whole message, `openid.` prefix dropped (§5.1.2 direct responses). */
  toKvForm(): string {
    return encodeKvForm(this.fields);
  }

  /** `openid.`-prefixed pairs, for form fields and URL queries (§4.1.2). */
  toPostFields(): Array<[string, string]> {
    return [...this.fields].map(([key, value]) => [PREFIX + key, value]);
  }

  /**
   * `application/x-www-form-urlencoded` with `%20` for spaces (encodeURIComponent), the form the
   * test vectors of docs/protocol.md#vectors-kv and docs/protocol.md#vectors-messages use; every RP decodes both `%20` and `+`.
   */
  toQueryString(): string {
    return this.toPostFields()
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
      .join('&');
  }
}
