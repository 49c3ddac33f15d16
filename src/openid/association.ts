import type { Clock } from '../shared/clock';
import type { RandomSource } from '../shared/random';

/**
 * Associations (§8): a handle naming a MAC key shared with an RP ("shared"), or kept by us
 * alone for stateless RPs that verify through check_authentication ("private", §11.4.2).
 */

export type AssocType = 'HMAC-SHA1' | 'HMAC-SHA256';

export const ASSOC_TYPES: readonly AssocType[] = ['HMAC-SHA1', 'HMAC-SHA256'];

/** MAC key sizes of §8.3: the HMAC's output length. */
export const MAC_KEY_LENGTH: Readonly<Record<AssocType, number>> = {
  'HMAC-SHA1': 20,
  'HMAC-SHA256': 32,
};

/** [D] 14 days, python-openid's default (docs/protocol.md#associations); FICAM tenants cap at 24 h. */
export const DEFAULT_SHARED_ASSOCIATION_LIFETIME_SECONDS = 14 * 24 * 60 * 60;
export const ICAM_MAX_ASSOCIATION_LIFETIME_SECONDS = 24 * 60 * 60;
/** [D] A private association signs one assertion and must be checked within 10 minutes. */
export const DEFAULT_PRIVATE_ASSOCIATION_LIFETIME_SECONDS = 10 * 60;

export interface Association {
  /** ≤ 255 printable ASCII characters (§8.2.1); see `makeAssociationHandle`. */
  readonly handle: string;
  readonly assocType: AssocType;
  /** The MAC key. Never log it. */
  readonly secret: Buffer;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  /** True for associations only we know (stateless mode), never usable by an RP directly. */
  readonly isPrivate: boolean;
}

/**
 * Persistence for associations, shared by every OP instance (docs/protocol.md#security-shared-state: an OP whose
 * instances do not share this state answers `is_valid:false` at random).
 *
 * Keep one store per OP endpoint (tenant): a handle issued for one endpoint must not be found
 * through another.
 */
export interface AssociationStore {
  save(association: Association): Promise<void>;
  /**
   * The association with this handle whose `isPrivate` equals `options.private`, expired or not
   * (callers check `expiresAt`; an expired one still tells which type to reuse). Shared and
   * private handles live apart: asking for the other kind answers undefined.
   */
  find(handle: string, options: { readonly private: boolean }): Promise<Association | undefined>;
  /**
   * Deletes atomically and tells whether this call removed it. check_authentication relies on
   * this as its single-use step: of two concurrent verifications only one sees `true`.
   */
  delete(handle: string): Promise<boolean>;
}

/** Whether an association may still sign or verify at the clock's current time. */
export function isAssociationLive(association: Association, clock: Clock): boolean {
  return association.expiresAt.getTime() > clock.now().getTime();
}

/**
 * `{HMAC-SHA256}{<hex unix time>}{<base64 of 12 random bytes>}` [D]: the shape python-openid uses,
 * with 96 random bits so handles cannot be guessed (docs/protocol.md#security-handles). Only ASCII 33–126 (§8.2.1).
 */
export function makeAssociationHandle(assocType: AssocType, issuedAt: Date, random: RandomSource): string {
  const seconds = Math.floor(issuedAt.getTime() / 1000).toString(16);
  return `{${assocType}}{${seconds}}{${random.bytes(12).toString('base64')}}`;
}

export interface CreateAssociationOptions {
  readonly assocType: AssocType;
  readonly isPrivate: boolean;
  readonly lifetimeSeconds: number;
  readonly clock: Clock;
  readonly random: RandomSource;
}

/** A fresh association with a random MAC key of the type's length (§8.3). Not yet saved. */
export function createAssociation(options: CreateAssociationOptions): Association {
  const { assocType, isPrivate, lifetimeSeconds, clock, random } = options;
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds <= 0) {
    throw new RangeError('Association lifetime must be a positive whole number of seconds');
  }
  const issuedAt = new Date(Math.floor(clock.now().getTime() / 1000) * 1000);
  return {
    handle: makeAssociationHandle(assocType, issuedAt, random),
    assocType,
    secret: random.bytes(MAC_KEY_LENGTH[assocType]),
    issuedAt,
    expiresAt: new Date(issuedAt.getTime() + lifetimeSeconds * 1000),
    isPrivate,
  };
}
