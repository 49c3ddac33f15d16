import { InvalidClientError, InvalidRequestError, readClientCredentials } from '../oauth';

/** RFC 7523 §2.2: the one assertion type of `private_key_jwt`. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** How a client presented itself at the token, revocation or introspection endpoint, before any lookup. */
export type PresentedOidcClient =
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; clientSecret: string }
  /** `clientId` is the `client_id` parameter when sent; otherwise the assertion's issuer names the client. */
  | { method: 'private_key_jwt'; clientId: string | null; assertion: string }
  /** A public client (OIDC Core §9 `none`): its client_id alone; PKCE is its proof at the token endpoint. */
  | { method: 'none'; clientId: string };

/**
 * Which of the four methods (OIDC Core §9) a request uses, read from its Authorization header and
 * form parameters. RFC 6749 §2.3: one method per request, so two at once is `invalid_request`;
 * nothing identifying a client at all is `invalid_client`. Pure: no lookup happens here.
 */
export function presentedClient(authorization: string | undefined, params: ReadonlyMap<string, string>): PresentedOidcClient {
  const assertionType = params.get('client_assertion_type');
  const assertion = params.get('client_assertion');
  if (assertionType !== undefined || assertion !== undefined) {
    if ((authorization !== undefined && authorization !== '') || params.has('client_secret')) throw new InvalidRequestError('use exactly one client authentication method');
    if (assertionType !== JWT_BEARER_ASSERTION) throw new InvalidClientError(false);
    if (assertion === undefined || assertion === '') throw new InvalidClientError(false);
    const clientId = params.get('client_id');
    return { method: 'private_key_jwt', clientId: clientId === undefined || clientId === '' ? null : clientId, assertion };
  }
  if ((authorization !== undefined && authorization !== '') || params.has('client_secret')) return readClientCredentials(authorization, params);
  const clientId = params.get('client_id');
  if (clientId === undefined || clientId === '') throw new InvalidClientError(false);
  return { method: 'none', clientId };
}
