import { OPENID2_NS } from './constants';
import { OpenIdMessage } from './message';

/**
 * Unsigned indirect responses. [D] They carry nothing but what the spec requires: no
 * identifiers and no extension data (docs/protocol.md#negative-assertions), so an unsigned message cannot leak or
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
