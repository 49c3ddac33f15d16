import { MalformedMessageError } from '../errors';
import type { OpenIdMessage } from '../message';
import { formatUtcTimestamp } from '../nonce';
import type { ExtensionResponse } from './extension-response';

/**
 * Provider Authentication Policy Extension 1.0 (docs/protocol.md#pape). [D] We forward max_auth_age to
 * the AW, report only the policies and auth time the AW vouched for, and otherwise answer with
 * the "none" policy. Auth levels are not reported.
 */

export const PAPE_NS = 'http://specs.openid.net/extensions/pape/1.0';

const PAPE_POLICIES = 'http://schemas.openid.net/pape/policies/2007/06';
export const PAPE_POLICY_PHISHING_RESISTANT = `${PAPE_POLICIES}/phishing-resistant`;
export const PAPE_POLICY_MULTI_FACTOR = `${PAPE_POLICIES}/multi-factor`;
export const PAPE_POLICY_MULTI_FACTOR_PHYSICAL = `${PAPE_POLICIES}/multi-factor-physical`;
/** Response-only: no policy was met. */
export const PAPE_POLICY_NONE = `${PAPE_POLICIES}/none`;
/** US ICAM: the RP asks that the assertion carry no sreg/AX data. */
export const ICAM_NO_PII_POLICY = 'http://www.idmanagement.gov/schema/2009/05/icam/no-pii.pdf';
export const ICAM_TRUST_LEVEL_1_POLICY = 'http://www.idmanagement.gov/schema/2009/05/icam/openid-trust-level1.pdf';
export const PPID_POLICY = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/privatepersonalidentifier';

export interface PapeRequest {
  readonly preferredAuthPolicies: readonly string[];
  /** Seconds; when set, the response MUST carry auth_time (PAPE §5.2). */
  readonly maxAuthAgeSeconds?: number;
  /** Namespace URIs of the auth-level types the RP prefers (final spec). */
  readonly preferredAuthLevelTypes: readonly string[];
  readonly isNoPiiRequested: boolean;
}

function words(text: string | undefined): string[] {
  return (text ?? '').split(' ').filter((word) => word !== '');
}

/** The PAPE request of a checkid message, or undefined if it declares no PAPE namespace. */
export function parsePapeRequest(message: OpenIdMessage): PapeRequest | undefined {
  const args = message.extensionArgs(PAPE_NS);
  if (args === undefined) return undefined;
  const preferredAuthPolicies = words(args.get('preferred_auth_policies'));
  const maxAuthAge = args.get('max_auth_age');
  // Ignoring a malformed age would silently drop the RP's freshness requirement; refuse instead.
  if (maxAuthAge !== undefined && !/^\d{1,10}$/.test(maxAuthAge)) {
    throw new MalformedMessageError('openid.pape.max_auth_age must be a number of seconds');
  }
  const preferredAuthLevelTypes = words(args.get('preferred_auth_level_types'))
    .map((alias) => args.get(`auth_level.ns.${alias}`))
    .filter((uri): uri is string => uri !== undefined && uri !== '');
  return {
    preferredAuthPolicies,
    ...(maxAuthAge === undefined ? {} : { maxAuthAgeSeconds: Number(maxAuthAge) }),
    preferredAuthLevelTypes,
    isNoPiiRequested: preferredAuthPolicies.includes(ICAM_NO_PII_POLICY),
  };
}

export interface PapeResponseInput {
  /** Policy URIs the AW says were met. Only trust what the AW posted. */
  readonly authPolicies?: readonly string[];
  /** When the user last actively authenticated, as the AW reported it. */
  readonly authTime?: Date;
}

/**
 * PAPE response: `auth_policies` (space-separated; the "none" URI when nothing was met) and
 * `auth_time` in RFC 3339 UTC without fractions. When the RP asked for ICAM no-PII we honour it
 * (no sreg/AX, see `buildExtensionResponses`) and say so by listing that policy, as
 * DotNetOpenAuth's ICAM profile does. Without an auth time from the AW, `auth_time` is left out
 * even if max_auth_age was asked: inventing one would be a false assertion.
 */
export function buildPapeResponse(request: PapeRequest, input: PapeResponseInput = {}): ExtensionResponse {
  const claimed = (input.authPolicies ?? []).filter((uri) => /^\S+$/.test(uri) && uri !== PAPE_POLICY_NONE);
  const policies = new Set(claimed);
  if (request.isNoPiiRequested) policies.add(ICAM_NO_PII_POLICY);
  const fields: Array<[string, string]> = [
    ['auth_policies', policies.size === 0 ? PAPE_POLICY_NONE : [...policies].join(' ')],
  ];
  if (input.authTime !== undefined) fields.push(['auth_time', formatUtcTimestamp(input.authTime)]);
  return { namespace: PAPE_NS, alias: 'pape', fields };
}
