import { InvalidClientError, InvalidRequestError } from './oauth.errors';

/** Credentials a client presented, and how (RFC 6749 §2.3.1). */
export interface PresentedClient {
  clientId: string;
  clientSecret: string;
  method: 'client_secret_basic' | 'client_secret_post';
}

/**
 * Reads the client's credentials from exactly one of `Authorization: Basic` (client_secret_basic)
 * and the `client_id` / `client_secret` body parameters (client_secret_post). RFC 6749 §2.3: a
 * client must not use more than one method in a request, so both at once is `invalid_request`;
 * none at all is `invalid_client`. Pure: no lookup happens here.
 */
export function readClientCredentials(authorization: string | undefined, params: ReadonlyMap<string, string>): PresentedClient {
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  if (authorization !== undefined && authorization !== '') {
    const match = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(authorization.trim());
    if (!match) {
      // Another scheme (e.g. Bearer) is not a client authentication method we offer.
      throw new InvalidClientError(/^Basic\b/i.test(authorization.trim()));
    }
    if (bodySecret !== undefined) throw new InvalidRequestError('use exactly one client authentication method');
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new InvalidClientError(true);
    // §2.3.1: id and secret are each form-urlencoded before being joined with a colon.
    const clientId = formDecode(decoded.slice(0, colon));
    const clientSecret = formDecode(decoded.slice(colon + 1));
    if (clientId === null || clientSecret === null || clientId === '') throw new InvalidClientError(true);
    if (bodyId !== undefined && bodyId !== clientId) throw new InvalidRequestError('client_id differs from the Authorization header');
    return { clientId, clientSecret, method: 'client_secret_basic' };
  }
  if (bodyId === undefined || bodySecret === undefined || bodyId === '') throw new InvalidClientError(false);
  return { clientId: bodyId, clientSecret: bodySecret, method: 'client_secret_post' };
}

function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}
