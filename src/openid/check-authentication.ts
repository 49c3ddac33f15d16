import type { Clock } from '../shared/clock';
import { isAssociationLive, type AssociationStore } from './association';
import { judgeNonce, type NonceStore } from './check-nonce';
import { OPENID2_NS } from './constants';
import { directResponse, type DirectResponse } from './direct-response';
import { MalformedMessageError } from './errors';
import { OpenIdMessage } from './message';
import { verifySignature } from './signature';

/**
 * `openid.mode=check_authentication` (§11.4.2, docs/protocol.md#check-authentication): a stateless RP asks us to
 * verify an assertion we signed with a private association.
 */

export interface CheckAuthenticationOptions {
  readonly store: AssociationStore;
  readonly nonceStore: NonceStore;
  readonly clock: Clock;
  /** This OP endpoint: nonces are unique per endpoint (§11.3). */
  readonly opEndpoint: string;
  readonly nonceMaxAgeSeconds?: number;
  readonly nonceMaxFutureSkewSeconds?: number;
}

export interface CheckAuthenticationResult {
  readonly isValid: boolean;
  /** Echoed back when the RP's `invalidate_handle` names no live shared association. */
  readonly invalidateHandle?: string;
  readonly response: DirectResponse;
}

function requiredField(message: OpenIdMessage, key: string): string {
  const value = message.get(key);
  if (value === undefined || value === '') throw new MalformedMessageError(`openid.${key} is required`);
  return value;
}

/** Steps 1–4 of docs/protocol.md#check-authentication; every "no" is just `is_valid:false`, never an error. */
async function judge(message: OpenIdMessage, handle: string, options: CheckAuthenticationOptions): Promise<boolean> {
  // §11.4.2.1: private associations only. A shared handle means the RP lost its key or someone
  // else made that association; the store answers undefined for it.
  const association = await options.store.find(handle, { private: true });
  if (association === undefined || !isAssociationLive(association, options.clock)) return false;
  // Our assertions name this endpoint; one naming another endpoint was not signed here.
  const opEndpoint = message.get('op_endpoint');
  if (opEndpoint !== undefined && opEndpoint !== options.opEndpoint) return false;
  // The RP swapped the mode; the signature covered id_res (python-openid does the same swap).
  if (!verifySignature(message, association, { mode: 'id_res' })) return false;
  // §11.4.2.1 "MUST NOT issue more than one verification response for each authentication
  // response": the atomic delete makes the association single-use even under concurrency.
  if (!(await options.store.delete(handle))) return false;
  const nonce = message.get('response_nonce');
  if (nonce === undefined) return false;
  const verdict = await judgeNonce(nonce, options.opEndpoint, options.nonceStore, {
    clock: options.clock,
    ...(options.nonceMaxAgeSeconds === undefined ? {} : { maxAgeSeconds: options.nonceMaxAgeSeconds }),
    ...(options.nonceMaxFutureSkewSeconds === undefined
      ? {}
      : { maxFutureSkewSeconds: options.nonceMaxFutureSkewSeconds }),
  });
  return verdict.ok;
}

/**
 * Verifies and answers with KV `ns`, `is_valid`, and `invalidate_handle` when the RP asked about a
 * handle that is not a live shared association (§11.4.2.2: the two-step invalidation, so a
 * forged `invalidate_handle` in a browser message cannot make RPs drop good keys).
 * Throws `MalformedMessageError` (→ 400) when assoc_handle, sig or signed is missing.
 */
export async function checkAuthentication(
  message: OpenIdMessage,
  options: CheckAuthenticationOptions,
): Promise<CheckAuthenticationResult> {
  if (message.mode !== 'check_authentication') {
    throw new MalformedMessageError('openid.mode must be check_authentication');
  }
  const handle = requiredField(message, 'assoc_handle');
  requiredField(message, 'sig');
  requiredField(message, 'signed');

  const isValid = await judge(message, handle, options);

  let invalidateHandle: string | undefined;
  const asked = message.get('invalidate_handle');
  if (asked !== undefined && asked !== '') {
    const shared = await options.store.find(asked, { private: false });
    if (shared === undefined || !isAssociationLive(shared, options.clock)) invalidateHandle = asked;
  }

  const fields: Array<[string, string]> = [
    ['ns', OPENID2_NS],
    ['is_valid', isValid ? 'true' : 'false'],
  ];
  if (invalidateHandle !== undefined) fields.push(['invalidate_handle', invalidateHandle]);
  const response = directResponse(OpenIdMessage.fromFields(fields));
  return invalidateHandle === undefined ? { isValid, response } : { isValid, invalidateHandle, response };
}
