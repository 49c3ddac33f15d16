import { OPENID2_NS } from './constants';
import { OpenIdMessage } from './message';

/**
 * Unsigned indirect responses. [D] They carry nothing but what the spec requires: no
 * identifiers and no extension data (PROTOCOL.md §5.6), so an unsigned message cannot leak or
 * assert anything.
 */

/** §10.2.2: the user (or the AW, or consent) declined a `checkid_setup`. */
export function buildCancelResponse(): OpenIdMessage {
  return OpenIdMessage.fromFields([
    ['ns', OPENID2_NS],
    ['mode', 'cancel'],
  ]);
}

/** §10.2.1: a `checkid_immediate` we cannot answer without user interaction. */
export function buildSetupNeededResponse(): OpenIdMessage {
  return OpenIdMessage.fromFields([
    ['ns', OPENID2_NS],
    ['mode', 'setup_needed'],
  ]);
}

export interface ErrorDetails {
  /** §5.1.2.2/§5.2.3: "An email address or other contact for the OP". */
  readonly contact?: string;
  /** A reference token, e.g. a support ticket or log correlation id. */
  readonly reference?: string;
}

/**
 * §5.2.3 indirect error (`mode=error`). Send it only to a return_to that was verified against a
 * sane realm (`OpenIdError.allowRedirect`), never to an unchecked URL (PROTOCOL.md §5.8).
 */
export function buildIndirectErrorResponse(error: string, details: ErrorDetails = {}): OpenIdMessage {
  const fields: Array<[string, string]> = [
    ['ns', OPENID2_NS],
    ['mode', 'error'],
    ['error', error],
  ];
  if (details.contact !== undefined) fields.push(['contact', details.contact]);
  if (details.reference !== undefined) fields.push(['reference', details.reference]);
  return OpenIdMessage.fromFields(fields);
}
