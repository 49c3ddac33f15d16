import type { Clock } from '../shared/clock';
import type { RandomSource } from '../shared/random';
import {
  DEFAULT_PRIVATE_ASSOCIATION_LIFETIME_SECONDS,
  createAssociation,
  isAssociationLive,
  type Association,
  type AssociationStore,
} from './association';
import type { AuthRequestInput } from './checkid';
import { OPENID2_NS } from './constants';
import type { ExtensionResponse } from './extensions/extension-response';
import { OpenIdMessage } from './message';
import { makeResponseNonce } from './nonce';
import { signMessage } from './signature';

/**
 * Positive assertion, `openid.mode=id_res` (§10.1, docs/protocol.md#positive-assertion).
 */

export interface PositiveAssertionInput {
  /** The validated request: return_to is echoed verbatim, assoc_handle picks the key. */
  readonly request: Pick<AuthRequestInput, 'returnTo' | 'assocHandle'>;
  /** Exactly as advertised in our XRDS (§10.1: the RP compares it with discovery). */
  readonly opEndpoint: string;
  readonly claimedId: string;
  readonly identity: string;
  readonly extensions?: readonly ExtensionResponse[];
}

export interface AssertionOptions {
  readonly store: AssociationStore;
  readonly clock: Clock;
  readonly random: RandomSource;
  /** Lifetime of the private association a stateless RP verifies against; default 10 minutes. */
  readonly privateLifetimeSeconds?: number;
}

export interface SigningChoice {
  readonly association: Association;
  /** The RP's handle, when we could not use it (§10.1 `openid.invalidate_handle`). */
  readonly invalidateHandle?: string;
}

/**
 * §10.1 / §11.4.1: sign with the RP's shared association while it is live. Otherwise (no handle,
 * unknown, expired, or a handle that is not a shared one) sign with a fresh private association
 * the RP must verify through check_authentication, and, if it sent a handle, tell it to drop it.
 * A replacement keeps the expired association's type, as python-openid does.
 */
export async function chooseSigningAssociation(
  assocHandle: string | undefined,
  options: AssertionOptions,
): Promise<SigningChoice> {
  const shared = assocHandle === undefined ? undefined : await options.store.find(assocHandle, { private: false });
  if (shared !== undefined && isAssociationLive(shared, options.clock)) return { association: shared };
  const association = createAssociation({
    assocType: shared?.assocType ?? 'HMAC-SHA256',
    isPrivate: true,
    lifetimeSeconds: options.privateLifetimeSeconds ?? DEFAULT_PRIVATE_ASSOCIATION_LIFETIME_SECONDS,
    clock: options.clock,
    random: options.random,
  });
  await options.store.save(association);
  return assocHandle === undefined ? { association } : { association, invalidateHandle: assocHandle };
}

function extensionFields(extensions: readonly ExtensionResponse[]): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  for (const extension of extensions) {
    fields.push([`ns.${extension.alias}`, extension.namespace]);
    for (const [key, value] of extension.fields) {
      fields.push([key === '' ? extension.alias : `${extension.alias}.${key}`, value]);
    }
  }
  return fields;
}

/**
 * Builds and signs the id_res message. Field order: ns, mode, op_endpoint, claimed_id, identity,
 * return_to, response_nonce, assoc_handle, invalidate_handle (only when the RP's handle was not
 * usable), then each extension's `ns.<alias>` and fields. [D] `signed` lists every one of them
 * (everything but `signed` and `sig`), a superset of §10.1's required list, so nothing in the
 * message reaches the RP unsigned.
 */
export async function buildPositiveAssertion(
  input: PositiveAssertionInput,
  options: AssertionOptions,
): Promise<OpenIdMessage> {
  const { association, invalidateHandle } = await chooseSigningAssociation(input.request.assocHandle, options);
  const fields: Array<[string, string]> = [
    ['ns', OPENID2_NS],
    ['mode', 'id_res'],
    ['op_endpoint', input.opEndpoint],
    ['claimed_id', input.claimedId],
    ['identity', input.identity],
    ['return_to', input.request.returnTo],
    ['response_nonce', makeResponseNonce(options.clock, options.random)],
    ['assoc_handle', association.handle],
  ];
  if (invalidateHandle !== undefined) fields.push(['invalidate_handle', invalidateHandle]);
  fields.push(...extensionFields(input.extensions ?? []));
  return signMessage(OpenIdMessage.fromFields(fields), association);
}
