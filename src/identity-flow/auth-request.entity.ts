import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';
import { RETURN_TO_VERIFICATION_STATUSES, type ReturnToVerificationStatus } from '../openid';
import { AuthRequestStatus } from './auth-request.state';

/**
 * One authentication request from an RP (docs/protocol.md#flow). The browser-facing `request_id` is a
 * bearer secret, so only its SHA-256 is stored. Never holds the AW's raw postback body.
 */
@Entity({ tableName: 'auth_request' })
@Index({ properties: ['customer', 'createdAt', 'id'], name: 'auth_request_customer_created_index' })
@Index({ properties: ['customer', 'usernameHash'], name: 'auth_request_username_hash_index' })
@Index({
  name: 'auth_request_unsealed_index',
  properties: ['id'],
  expression: `create index "auth_request_unsealed_index" on "auth_request" ("id") where "person_key_id" is null and "username" is not null`,
})
// Serves the retention purge of finished requests (auth-request.repository.ts).
@Index({
  name: 'auth_request_finished_index',
  properties: ['updatedAt'],
  expression: `create index "auth_request_finished_index" on "auth_request" ("updated_at") where "status" in ('COMPLETED', 'CANCELLED', 'EXPIRED')`,
})
export class AuthRequest {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade' })
  customer!: Customer;

  @Property({ type: 'string', length: 64, unique: 'auth_request_request_id_hash_unique' })
  requestIdHash!: string;

  @Enum({ items: () => AuthRequestStatus, type: 'text' })
  status!: AuthRequestStatus;

  @Property({ type: 'string', length: 32 })
  mode!: string;

  @Property({ type: 'text' })
  realm!: string;

  @Property({ type: 'text' })
  returnTo!: string;

  /** Return-URL verification by RP discovery (§9.2.1); null for requests made before it existed. */
  @Enum({ items: () => [...RETURN_TO_VERIFICATION_STATUSES], type: 'text', nullable: true })
  returnToVerification: ReturnToVerificationStatus | null = null;

  /** Why it is not VERIFIED, as a short code (no_xrds, return_to_not_listed, timeout, ...). */
  @Property({ type: 'string', length: 64, nullable: true })
  returnToVerificationReason: string | null = null;

  /** The validated checkid request, to build the assertion from later (AuthRequestInput). */
  @Property({ type: 'json' })
  openidRequest!: Record<string, unknown>;

  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  requestedFields: string[] = [];

  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  requiredFields: string[] = [];

  /** Sealed under the person's key (clear only on a request stored before encryption). */
  @Index({ name: 'auth_request_username_index' })
  @Property({ type: 'text', nullable: true })
  username: string | null = null;

  @Property({ type: 'text', nullable: true })
  usernameHash: string | null = null;

  /** The key `username`, `supplied` and `blob` are sealed under. */
  @Property({ type: 'uuid', nullable: true })
  personKeyId: string | null = null;

  @Property({ type: 'boolean', nullable: true })
  noPrompt: boolean | null = null;

  @Property({ type: 'boolean', default: false })
  isMinor = false;

  /** Normalised sreg values from the postback, keyed by sreg field name. */
  @Property({ type: 'json', nullable: true })
  supplied: Record<string, string> | null = null;

  @Property({ type: 'text', nullable: true })
  blob: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  authTime: Date | null = null;

  @Property({ type: ArrayType, columnType: 'text[]', nullable: true })
  authPolicies: string[] | null = null;

  /** Keyed hash (HMAC-SHA256, base64url) of the accepted postback's fields, so an identical retry answers 200 again. */
  @Property({ type: 'string', length: 64, nullable: true })
  postbackDigest: string | null = null;

  /** The user's keyed hash as the audit trail names them (set by the postback), for the return's audit events. */
  @Property({ type: 'string', length: 64, nullable: true })
  subjectHash: string | null = null;

  /** The RP asked for PAPE no-PII: the postback keeps neither values nor blob for it. */
  @Property({ type: 'boolean', default: false })
  isNoPiiRequested: boolean = false;

  /** What the RP received: id_res, cancel or setup_needed. */
  @Property({ type: 'string', length: 16, nullable: true })
  outcome: string | null = null;

  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  releasedFields: string[] = [];

  @Property({ type: 'text', nullable: true })
  failureReason: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;

  @Index({ name: 'auth_request_expires_at_index' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;
}

/** One step of a request's timeline: which event moved it from which state to which, and when. */
@Entity({ tableName: 'auth_request_transition' })
export class AuthRequestTransition {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => AuthRequest, { deleteRule: 'cascade', updateRule: 'cascade', index: 'auth_request_transition_request_index' })
  authRequest!: AuthRequest;

  /** The request's customer, repeated so that row-level security can check this row by itself. */
  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade', index: 'auth_request_transition_customer_id_index' })
  customer!: Customer;

  @Property({ type: 'string', length: 32 })
  event!: string;

  @Enum({ items: () => AuthRequestStatus, type: 'text', nullable: true })
  fromStatus: AuthRequestStatus | null = null;

  @Enum({ items: () => AuthRequestStatus, type: 'text' })
  toStatus!: AuthRequestStatus;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  at!: Date;

  @Property({ type: 'text', nullable: true })
  reason: string | null = null;
}
