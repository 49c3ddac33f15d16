import { MalformedMessageError } from '../errors';
import type { OpenIdMessage } from '../message';
import type { ExtensionResponse } from './extension-response';
import { SREG_FIELDS, type SregField, type SregValues } from './sreg';

/**
 * Attribute Exchange 1.0, fetch only (docs/protocol.md#ax). The nine attributes we know are the
 * sreg fields under their axschema.org type URIs; `store_request` is declined.
 */

export const AX_NS = 'http://openid.net/srv/ax/1.0';

/** axschema.org type URI of each sreg field (DotNetOpenAuth's WellKnownAttributes). */
export const AX_TYPE_FOR_SREG: Readonly<Record<SregField, string>> = {
  nickname: 'http://axschema.org/namePerson/friendly',
  email: 'http://axschema.org/contact/email',
  fullname: 'http://axschema.org/namePerson',
  dob: 'http://axschema.org/birthDate',
  gender: 'http://axschema.org/person/gender',
  postcode: 'http://axschema.org/contact/postalCode/home',
  country: 'http://axschema.org/contact/country/home',
  language: 'http://axschema.org/pref/language',
  timezone: 'http://axschema.org/pref/timezone',
};

/**
 * Every spelling we accept: axschema.org plus the two legacy hosts DotNetOpenAuth rewrites it
 * to (`http://schema.openid.net/…`, used by Google, and `http://openid.net/schema/…`).
 */
const SREG_FOR_AX_TYPE: ReadonlyMap<string, SregField> = new Map(
  SREG_FIELDS.flatMap((field) => {
    const uri = AX_TYPE_FOR_SREG[field];
    return [
      [uri, field],
      [uri.replace('axschema.org', 'schema.openid.net'), field],
      [uri.replace('axschema.org', 'openid.net/schema'), field],
    ] as Array<[string, SregField]>;
  }),
);

export function sregFieldForAxType(typeUri: string): SregField | undefined {
  return SREG_FOR_AX_TYPE.get(typeUri);
}

export interface AxAttributeRequest {
  readonly alias: string;
  readonly typeUri: string;
  /** `required` is only a hint; the OP does not enforce it (AX §5.1). */
  readonly isRequired: boolean;
  readonly count: number | 'unlimited';
  /** Whether the RP sent `count.<alias>`: then values go out as `value.<alias>.N` with a count. */
  readonly isCountExplicit: boolean;
  /** The sreg field this type maps to; undefined for types we do not serve. */
  readonly sregField?: SregField;
}

export type AxRequest =
  | { readonly mode: 'fetch_request'; readonly attributes: readonly AxAttributeRequest[] }
  | { readonly mode: 'store_request' };

/** AX §5.1: aliases must not contain '.', ',', ':' or LF. */
const ALIAS = /^[^.,:\n]+$/;

function aliasList(text: string | undefined): string[] {
  return (text ?? '').split(',').filter((alias) => alias !== '');
}

function readCount(text: string | undefined): number | 'unlimited' | undefined {
  if (text === undefined) return undefined;
  if (text === 'unlimited') return 'unlimited';
  // AX §5.1: "the value MUST be greater than zero, or the special value 'unlimited'".
  if (!/^[1-9]\d{0,8}$/.test(text)) throw new MalformedMessageError('openid.ax.count must be > 0 or unlimited');
  return Number(text);
}

/**
 * The AX request of a checkid message, or undefined if it declares no AX namespace. Structural
 * errors (unknown mode, a listed alias without `type.<alias>`, a bad count) are errors that may
 * be redirected to the verified return_to. `update_url` is ignored: we never send updates.
 */
export function parseAxRequest(message: OpenIdMessage): AxRequest | undefined {
  const args = message.extensionArgs(AX_NS);
  if (args === undefined) return undefined;
  const mode = args.get('mode');
  if (mode === 'store_request') return { mode };
  if (mode !== 'fetch_request') {
    throw new MalformedMessageError('openid.ax.mode must be fetch_request or store_request');
  }
  const types = new Map<string, string>();
  for (const [key, value] of args) {
    if (!key.startsWith('type.')) continue;
    const alias = key.slice('type.'.length);
    if (!ALIAS.test(alias)) throw new MalformedMessageError('Invalid AX attribute alias');
    types.set(alias, value);
  }
  const required = aliasList(args.get('required'));
  const ifAvailable = aliasList(args.get('if_available')).filter((alias) => !required.includes(alias));
  const attributes: AxAttributeRequest[] = [];
  for (const alias of new Set([...required, ...ifAvailable])) {
    const typeUri = types.get(alias);
    if (typeUri === undefined) throw new MalformedMessageError('An AX alias has no openid.ax.type');
    const count = readCount(args.get(`count.${alias}`));
    const sregField = sregFieldForAxType(typeUri);
    attributes.push({
      alias,
      typeUri,
      isRequired: required.includes(alias),
      count: count ?? 1,
      isCountExplicit: count !== undefined,
      ...(sregField === undefined ? {} : { sregField }),
    });
  }
  return { mode, attributes };
}

/**
 * AX §5.2 fetch_response under the RP's own aliases and type URIs. Attributes without a value
 * are left out entirely (the spec's SHOULD NOT for the value; python-openid's RP also chokes on
 * a type without value or count). At most one value each, never more than the count asked for.
 */
export function buildAxResponse(request: AxRequest, values: SregValues): ExtensionResponse {
  if (request.mode === 'store_request') {
    return {
      namespace: AX_NS,
      alias: 'ax',
      fields: [
        ['mode', 'store_response_failure'],
        ['error', 'This provider does not store attributes'],
      ],
    };
  }
  const fields: Array<[string, string]> = [['mode', 'fetch_response']];
  for (const attribute of request.attributes) {
    const value = attribute.sregField === undefined ? undefined : values[attribute.sregField];
    if (value === undefined || value === '') continue;
    fields.push([`type.${attribute.alias}`, attribute.typeUri]);
    if (attribute.isCountExplicit) {
      fields.push([`count.${attribute.alias}`, '1'], [`value.${attribute.alias}.1`, value]);
    } else {
      fields.push([`value.${attribute.alias}`, value]);
    }
  }
  return { namespace: AX_NS, alias: 'ax', fields };
}
