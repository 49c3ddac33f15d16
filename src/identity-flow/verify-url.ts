import { AuthRequestInput, RequestedFields } from '../openid';

export interface VerifyUrlInput {
  verifyUrl: string;
  requestId: string;
  /** An OpenID 2.0 request, or what an OpenID Connect request asks the same way (its realm, a max auth age). */
  request: { realm: string; sreg?: Partial<NonNullable<AuthRequestInput['sreg']>>; pape?: Partial<NonNullable<AuthRequestInput['pape']>> };
  requested: RequestedFields;
  usernameHint: string | null;
  /** Further hints for an OpenID Connect request (client_name, ui_locales). */
  extra?: Readonly<Record<string, string>>;
}

/**
 * Step 2 (docs/protocol.md#verify-url): the customer's Verify URL, from configuration only, with the request
 * appended after any query it already has. Everything but request_id is a hint to the AW.
 */
export function buildVerifyUrl(input: VerifyUrlInput): string {
  const params = new URLSearchParams();
  params.set('request_id', input.requestId);
  params.set('realm', input.request.realm);
  const all = [...input.requested.required, ...input.requested.optional];
  if (all.length > 0) params.set('requested_attributes', all.map((f) => `sreg_${f}`).join(','));
  if (input.requested.required.length > 0) params.set('required_attributes', input.requested.required.map((f) => `sreg_${f}`).join(','));
  const policyUrl = input.request.sreg?.policyUrl;
  if (policyUrl) params.set('policy_url', policyUrl);
  if (input.usernameHint) params.set('username_hint', input.usernameHint);
  const maxAuthAge = input.request.pape?.maxAuthAgeSeconds;
  if (maxAuthAge !== undefined) params.set('max_auth_age', String(maxAuthAge));
  for (const [name, value] of Object.entries(input.extra ?? {})) params.set(name, value);
  const hash = input.verifyUrl.indexOf('#');
  const base = hash < 0 ? input.verifyUrl : input.verifyUrl.slice(0, hash);
  const separator = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${separator}${params.toString().replace(/\+/g, '%20')}`;
}
