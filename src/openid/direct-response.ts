import { OPENID2_NS } from './constants';
import { OpenIdError, UnsupportedAssociationTypeError } from './errors';
import { OpenIdMessage } from './message';
import type { ErrorDetails } from './negative-assertion';

/**
 * Direct responses (§5.1.2): Key-Value form in a `text/plain` body, 200 on success and 400 on
 * error (§5.1.2.2). The HTTP layer writes status, content type and body as given.
 */
export interface DirectResponse {
  readonly status: 200 | 400;
  readonly contentType: 'text/plain; charset=utf-8';
  readonly body: string;
}

export function directResponse(message: OpenIdMessage, status: 200 | 400 = 200): DirectResponse {
  return { status, contentType: 'text/plain; charset=utf-8', body: message.toKvForm() };
}

/**
 * §5.1.2.2 error response for a failed direct request: `ns`, `error`, optional `contact` and
 * `reference`. An unsupported association type adds `error_code: unsupported-type` and the
 * pair to retry with (§8.2.4); it goes out with 400 too, because python-openid's RP only
 * renegotiates on a 400 (docs/protocol.md#associations).
 */
export function directErrorResponse(error: OpenIdError, details: ErrorDetails = {}): DirectResponse {
  const text = error.expose ? error.message : 'The OpenID provider could not process this request';
  const fields: Array<[string, string]> = [
    ['ns', OPENID2_NS],
    ['error', text],
  ];
  if (error instanceof UnsupportedAssociationTypeError) {
    fields.push(['error_code', 'unsupported-type']);
    fields.push(['session_type', error.suggestedSessionType]);
    fields.push(['assoc_type', error.suggestedAssocType]);
  }
  if (details.contact !== undefined) fields.push(['contact', details.contact]);
  if (details.reference !== undefined) fields.push(['reference', details.reference]);
  return directResponse(OpenIdMessage.fromFields(fields), 400);
}
