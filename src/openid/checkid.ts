import { checkReturnToInRealm, checkRealmSanity, checkReturnToSyntax } from './check-return-to';
import { checkTrustedRealm } from './check-trusted-realm';
import { IDENTIFIER_SELECT } from './constants';
import {
  IdentifierRequiredError,
  MalformedMessageError,
  ReturnToRequiredError,
  UnknownModeError,
} from './errors';
import { parseAxRequest, type AxRequest } from './extensions/ax';
import { parsePapeRequest, type PapeRequest } from './extensions/pape';
import { parseSregRequest, type SregRequest } from './extensions/sreg';
import type { OpenIdMessage } from './message';
import { parseRealm, type Realm } from './realm';

/**
 * `checkid_setup` / `checkid_immediate` (§9): turns an authentication request into the input the
 * identity flow stores, or throws. Order (docs/protocol.md#checkid): the message was parsed and its
 * version checked by `OpenIdMessage.fromParams`; then return_to syntax → realm syntax →
 * return_to ⊂ realm → realm sanity → customer whitelist → mode, identifiers and extensions. Every
 * failure is answered with a page, never a redirect (errors.ts). RP discovery (§9.2.1) needs a
 * network fetch and runs after this, in the caller, with `verifyReturnToByDiscovery`.
 */

export type CheckIdMode = 'checkid_setup' | 'checkid_immediate';

export interface AuthRequestInput {
  readonly mode: CheckIdMode;
  /** Equal to `identity` unless the user delegates from their own URL (§7.3.1). */
  readonly claimedId: string;
  /** OP-local identifier we are asked to vouch for. */
  readonly identity: string;
  /** Both identifiers are `identifier_select`: we choose the identifier (§9.1). */
  readonly isIdentifierSelect: boolean;
  /** Verbatim, to be echoed in the assertion (§10.1). */
  readonly returnTo: string;
  /** The realm as sent, or return_to when absent (§9.1). */
  readonly realm: string;
  readonly assocHandle?: string;
  readonly sreg?: SregRequest;
  readonly ax?: AxRequest;
  readonly pape?: PapeRequest;
}

export interface CheckIdOptions {
  /** The customer's realm whitelist; empty or absent trusts every sane realm. */
  readonly trustedRealms?: readonly string[];
}

/** §8.2.1: a handle is 1–255 characters in ASCII 33–126. */
const ASSOC_HANDLE = /^[\x21-\x7e]{1,255}$/;

/** Steps that decide whether return_to may receive our redirects at all. */
export function verifyReturnTo(
  message: OpenIdMessage,
  options: CheckIdOptions = {},
): { returnTo: string; realm: Realm } {
  const returnTo = message.get('return_to');
  if (returnTo === undefined || returnTo === '') throw new ReturnToRequiredError();
  checkReturnToSyntax(returnTo);
  // §9.1: realm defaults to return_to. `openid.trust_root` is the 1.1 name and plays no part in 2.0.
  const realm = parseRealm(message.get('realm') ?? returnTo);
  checkReturnToInRealm(returnTo, realm);
  checkRealmSanity(realm);
  checkTrustedRealm(realm, options.trustedRealms ?? []);
  return { returnTo, realm };
}

function readIdentifiers(message: OpenIdMessage): { claimedId: string; identity: string } {
  const claimedId = message.get('claimed_id');
  const identity = message.get('identity');
  // [D] An extension-only request (§9.1 allows it) asks us to assert nothing: not our service.
  if (claimedId === undefined && identity === undefined) throw new IdentifierRequiredError();
  // §9.1: "openid.claimed_id and openid.identity SHALL either both be present or both be absent."
  if (claimedId === undefined || identity === undefined || claimedId === '' || identity === '') {
    throw new MalformedMessageError('openid.claimed_id and openid.identity must be sent together');
  }
  if ((claimedId === IDENTIFIER_SELECT) !== (identity === IDENTIFIER_SELECT)) {
    throw new MalformedMessageError('identifier_select must be used for both claimed_id and identity');
  }
  return { claimedId, identity };
}

/**
 * Validates a checkid request. Throws, in this order: `ReturnToRequiredError`,
 * `InvalidReturnToError`, `BadRealmError`, `ReturnToOutsideRealmError`, `InsaneRealmError`,
 * `UntrustedRealmError`, then `UnknownModeError` (any other mode), `IdentifierRequiredError`,
 * `MalformedMessageError` (identifier pairing, handle syntax, malformed AX/PAPE). All of them are
 * shown as a page.
 */
export function parseCheckIdRequest(message: OpenIdMessage, options: CheckIdOptions = {}): AuthRequestInput {
  const { returnTo } = verifyReturnTo(message, options);

  const mode = message.mode ?? '';
  if (mode !== 'checkid_setup' && mode !== 'checkid_immediate') throw new UnknownModeError(mode);
  const { claimedId, identity } = readIdentifiers(message);

  const assocHandle = message.get('assoc_handle');
  if (assocHandle !== undefined && !ASSOC_HANDLE.test(assocHandle)) {
    throw new MalformedMessageError('openid.assoc_handle is malformed');
  }
  const sreg = parseSregRequest(message);
  const ax = parseAxRequest(message);
  const pape = parsePapeRequest(message);
  return {
    mode,
    claimedId,
    identity,
    isIdentifierSelect: identity === IDENTIFIER_SELECT,
    returnTo,
    realm: message.get('realm') ?? returnTo,
    ...(assocHandle === undefined ? {} : { assocHandle }),
    ...(sreg === undefined ? {} : { sreg }),
    ...(ax === undefined ? {} : { ax }),
    ...(pape === undefined ? {} : { pape }),
  };
}
