import type { Clock } from '../shared/clock';
import type { RandomSource } from '../shared/random';
import {
  ASSOC_TYPES,
  DEFAULT_SHARED_ASSOCIATION_LIFETIME_SECONDS,
  createAssociation,
  type AssocType,
  type AssociationStore,
} from './association';
import { OPENID2_NS } from './constants';
import { SUGGESTED_ASSOC_TYPE, SUGGESTED_SESSION_TYPE, dhServerSession, readDhConsumerParams, type DhSessionType } from './dh';
import { directResponse, type DirectResponse } from './direct-response';
import {
  MalformedMessageError,
  UnknownSessionTypeError,
  UnsupportedAssociationTypeError,
} from './errors';
import { OpenIdMessage } from './message';

/**
 * `openid.mode=associate` (§8): a direct request establishing a shared MAC key.
 *
 * Supported [D] (docs/protocol.md#associations): HMAC-SHA256 + DH-SHA256, HMAC-SHA1 + DH-SHA1, and
 * `no-encryption` with either type only over TLS (§8.4.1: without TLS the key travels in clear).
 */

export type SessionType = 'no-encryption' | DhSessionType;

const SESSION_TYPES: readonly SessionType[] = ['no-encryption', 'DH-SHA1', 'DH-SHA256'];

/** The assoc_type each DH session type can carry (§8.4.2: hash length = key length). */
const DH_ASSOC_TYPE: Readonly<Record<DhSessionType, AssocType>> = {
  'DH-SHA1': 'HMAC-SHA1',
  'DH-SHA256': 'HMAC-SHA256',
};

export interface AssociateOptions {
  readonly store: AssociationStore;
  readonly clock: Clock;
  readonly random: RandomSource;
  /** Whether the request reached us over HTTPS; decides whether `no-encryption` is allowed. */
  readonly isSecureTransport: boolean;
  /** Lifetime of the shared association; defaults to 14 days. */
  readonly sharedLifetimeSeconds?: number;
}

function unsupported(reason: string): UnsupportedAssociationTypeError {
  return new UnsupportedAssociationTypeError(reason, SUGGESTED_SESSION_TYPE, SUGGESTED_ASSOC_TYPE);
}

function required(message: OpenIdMessage, key: string): string {
  const value = message.get(key);
  if (value === undefined || value === '') throw new MalformedMessageError(`openid.${key} is required`);
  return value;
}

/**
 * Answers an associate request. Throws (for `directErrorResponse` to turn into a 400):
 * - `UnsupportedAssociationTypeError` (error_code unsupported-type, suggesting DH-SHA256 /
 *   HMAC-SHA256) for an unknown assoc_type, a session/assoc mismatch, no-encryption without TLS, or
 *   a dh_modulus/dh_gen other than the well-known groups (dh.ts);
 * - `UnknownSessionTypeError`, `InvalidDhParametersError`, `MalformedMessageError` (no error_code)
 *   for an unknown session type, missing or undecodable DH values, a consumer public key outside
 *   1 < y < p-1, or missing fields.
 */
export async function associate(message: OpenIdMessage, options: AssociateOptions): Promise<DirectResponse> {
  if (message.mode !== 'associate') throw new MalformedMessageError('openid.mode must be associate');
  const sessionTypeText = required(message, 'session_type');
  const assocTypeText = required(message, 'assoc_type');

  const sessionType = SESSION_TYPES.find((type) => type === sessionTypeText);
  if (sessionType === undefined) throw new UnknownSessionTypeError(sessionTypeText);
  // Decoded before the type checks, like python-openid: a broken DH request is a plain 400.
  const dhParams = sessionType === 'no-encryption' ? undefined : readDhConsumerParams(message);

  const assocType = ASSOC_TYPES.find((type) => type === assocTypeText);
  if (assocType === undefined) throw unsupported('This association type is not supported');
  if (sessionType === 'no-encryption') {
    if (!options.isSecureTransport) throw unsupported('no-encryption sessions require HTTPS');
  } else if (DH_ASSOC_TYPE[sessionType] !== assocType) {
    throw unsupported(`${sessionType} sessions cannot carry ${assocType} keys`);
  }

  const lifetimeSeconds = options.sharedLifetimeSeconds ?? DEFAULT_SHARED_ASSOCIATION_LIFETIME_SECONDS;
  const association = createAssociation({
    assocType,
    isPrivate: false,
    lifetimeSeconds,
    clock: options.clock,
    random: options.random,
  });

  const fields: Array<[string, string]> = [
    ['ns', OPENID2_NS],
    ['assoc_handle', association.handle],
    ['session_type', sessionType],
    ['assoc_type', assocType],
    ['expires_in', String(lifetimeSeconds)],
  ];
  if (sessionType === 'no-encryption' || dhParams === undefined) {
    fields.push(['mac_key', association.secret.toString('base64')]);
  } else {
    const dh = dhServerSession(dhParams, options.random, sessionType, association.secret);
    fields.push(['dh_server_public', dh.dhServerPublic], ['enc_mac_key', dh.encMacKey]);
  }

  await options.store.save(association);
  return directResponse(OpenIdMessage.fromFields(fields));
}
