import type { SqlPool } from '../db/sql-pool';

/**
 * The login's steps, one statement each: calls of the SQL functions of the LoginSteps migration,
 * as named (prepared) statements on the hot path's pool. Nothing here decides anything; the
 * functions' own comments say what each checks and writes.
 */

/** Who the audit events of a step name as their actor (see audit/actor.ts). */
export interface StepActor {
  kind: string;
  id: string;
}

/** The login code a positive answer may carry: chosen before the call, stored by it only when a client could use it. */
export interface PendingLoginCode {
  id: string;
  hash: string;
  expiresAt: Date;
}

export interface BeginRow {
  customerId: string;
  id: string;
  requestIdHash: string;
  mode: string;
  realm: string;
  returnTo: string;
  verification: string;
  verificationReason: string | null;
  verificationAt: Date;
  verificationLog: string;
  /** The stored request, serialised once. */
  openidRequestJson: string;
  requestedFields: readonly string[];
  requiredFields: readonly string[];
  /** The RP asked for PAPE no-PII (the postback's disclosure depends on it). */
  isNoPiiRequested: boolean;
  now: Date;
  expiresAt: Date;
}

/** Stores a new request with its two first timeline rows; false when the customer no longer exists. */
export async function beginRequest(pool: SqlPool, row: BeginRow): Promise<boolean> {
  const { rows } = await pool.query<{ ok: boolean }>({
    name: 'ids_flow_begin',
    text: 'select ids_flow_begin($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) as ok',
    values: [
      row.customerId,
      row.id,
      row.requestIdHash,
      row.mode,
      row.realm,
      row.returnTo,
      row.verification,
      row.verificationReason,
      row.verificationAt,
      row.verificationLog,
      row.openidRequestJson,
      row.requestedFields,
      row.requiredFields,
      row.isNoPiiRequested,
      row.now,
      row.expiresAt,
    ],
  });
  return rows[0]?.ok === true;
}

export type PostbackOutcome =
  | 'unknown_customer'
  | 'invalid_api_key'
  | 'stale_key'
  | 'unknown_request'
  | 'repeated'
  | 'expired'
  | 'already_posted'
  | 'invalid_content'
  | 'accepted';

export interface PostbackCall {
  customerId: string;
  apiKeyHash: string;
  requestIdHash: string;
  digest: string;
  now: Date;
  /** The content failed validation: answered after the request's own checks, writing nothing. */
  isContentInvalid: boolean;
  isCancel: boolean;
  /** The person, their values sealed (identity-flow/sealed-values.ts); null for a cancel or invalid content. */
  person: object | null;
  noPrompt: boolean | null;
  isMinor: boolean;
  /** The posted values and blob, sealed; the request keeps of them what `keep` says for the facts the function finds. */
  supplied: Record<string, string>;
  blob: string | null;
  /** The disclosure rule's answers ('assertion' purpose) for an open request, a no-PII request and a restricted person. */
  keep: Record<'open' | 'noPii' | 'restricted', { attributes: boolean; blob: boolean }>;
  /** What the profile may record (the rule's `record` purpose), and whether a restricted person's may change. */
  record: Record<string, string>;
  /** Keyed digests of the clear values of `record`, to tell what changed. */
  digests: Record<string, string>;
  restrictedRecords: boolean;
  authTime: Date | null;
  authPolicies: readonly string[] | null;
  subjectHash: string | null;
  actor: StepActor;
}

/** A postback's answer; with `stale_key`, the person's key stored first (if any), to seal with instead. */
export interface PostbackAnswer {
  outcome: PostbackOutcome;
  authRequestId: string | null;
  storedKey: { id: string; profileId: string; wrapped: Buffer } | null;
}

export async function postback(pool: SqlPool, call: PostbackCall): Promise<PostbackAnswer> {
  const { rows } = await pool.query<{ outcome: PostbackOutcome; auth_request_id: string | null; person_key_id: string | null; profile_id: string | null; wrapped: Buffer | null }>({
    name: 'ids_flow_postback_sealed',
    text: 'select outcome, auth_request_id, person_key_id, profile_id, wrapped from ids_flow_postback($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)',
    values: [
      call.customerId,
      call.apiKeyHash,
      call.requestIdHash,
      call.digest,
      call.now,
      call.isContentInvalid,
      call.isCancel,
      call.person === null ? null : JSON.stringify(call.person),
      call.noPrompt,
      call.isMinor,
      JSON.stringify(call.supplied),
      call.blob,
      JSON.stringify(call.keep),
      JSON.stringify(call.record),
      JSON.stringify(call.digests),
      call.restrictedRecords,
      call.authTime,
      call.authPolicies,
      call.subjectHash,
      call.actor.kind,
      call.actor.id,
    ],
  });
  const row = rows[0]!;
  return {
    outcome: row.outcome,
    authRequestId: row.auth_request_id,
    storedKey: row.person_key_id && row.profile_id && row.wrapped ? { id: row.person_key_id, profileId: row.profile_id, wrapped: row.wrapped } : null,
  };
}

/** What a browser step answers (the `ids_flow_answer` type); which fields are set depends on `step`. */
export interface StepAnswer {
  step: 'unknown' | 'check_binding' | 'foreign' | 'refused' | 'expired' | 'finished' | 'answered' | 'invalid_decision' | 'answer' | 'consent';
  authRequestId: string | null;
  requestIdHash: string | null;
  status: string | null;
  expiresAt: Date | null;
  openidRequest: unknown;
  username: string | null;
  realm: string | null;
  requestedFields: string[] | null;
  requiredFields: string[] | null;
  isMinor: boolean | null;
  supplied: Record<string, string> | null;
  blob: string | null;
  authTime: Date | null;
  authPolicies: string[] | null;
  outcome: 'id_res' | 'cancel' | null;
  granted: string[] | null;
  released: string[] | null;
  isCodeIssued: boolean | null;
  isRestricted: boolean | null;
  /** The key `username`, `supplied` and `blob` are sealed under (null: stored before encryption, in clear). */
  personKeyId: string | null;
  /** A privacy center sign-in's profile (issue 22), read by the statement that completes it; null otherwise. */
  profileId: string | null;
}

/** The columns of `ids_flow_answer`, named as StepAnswer names them, so a row is the answer as it comes. */
const ANSWER_COLUMNS = Object.entries({
  step: 'step',
  authRequestId: 'auth_request_id',
  requestIdHash: 'request_id_hash',
  status: 'status',
  expiresAt: 'expires_at',
  openidRequest: 'openid_request',
  username: 'username',
  realm: 'realm',
  requestedFields: 'requested_fields',
  requiredFields: 'required_fields',
  isMinor: 'is_minor',
  supplied: 'supplied',
  blob: 'blob',
  authTime: 'auth_time',
  authPolicies: 'auth_policies',
  outcome: 'outcome',
  granted: 'granted',
  released: 'released',
  isCodeIssued: 'is_code_issued',
  isRestricted: 'is_restricted',
  personKeyId: 'person_key_id',
  profileId: 'profile_id',
} satisfies Record<keyof StepAnswer, string>)
  .map(([field, column]) => `${column} as "${field}"`)
  .join(', ');

/** One browser step: its function called as a named statement, answering one `ids_flow_answer`. */
async function browserStep(pool: SqlPool, fn: 'ids_flow_return' | 'ids_flow_consent', values: unknown[]): Promise<StepAnswer> {
  const { rows } = await pool.query<StepAnswer>({
    name: `${fn}_sealed`,
    text: `select ${ANSWER_COLUMNS} from ${fn}(${values.map((_, i) => `$${i + 1}`).join(', ')})`,
    values,
  });
  return rows[0]!;
}

export interface ReturnCall {
  customerId: string;
  /** Null when the browser named the request by its cookie alone (answered `check_binding`). */
  requestIdHash: string | null;
  cookieRequestId: string | null;
  isBindingValid: boolean;
  now: Date;
  allFields: readonly string[];
  actor: StepActor;
  code: PendingLoginCode;
}

export async function returnFromAw(pool: SqlPool, call: ReturnCall): Promise<StepAnswer> {
  return browserStep(pool, 'ids_flow_return', [
      call.customerId,
      call.requestIdHash,
      call.cookieRequestId,
      call.isBindingValid,
      call.now,
      call.allFields,
      call.actor.kind,
      call.actor.id,
      call.code.id,
      call.code.hash,
    call.code.expiresAt,
  ]);
}

export interface ConsentCall {
  customerId: string;
  cookieRequestId: string;
  isCsrfValid: boolean;
  decision: 'ALLOW' | 'DENY' | null;
  share: readonly string[];
  remember: boolean;
  now: Date;
  actor: StepActor;
  code: PendingLoginCode;
}

export async function decideConsent(pool: SqlPool, call: ConsentCall): Promise<StepAnswer> {
  return browserStep(pool, 'ids_flow_consent', [
      call.customerId,
      call.cookieRequestId,
      call.isCsrfValid,
      call.decision,
      call.share,
      call.remember,
      call.now,
      call.actor.kind,
      call.actor.id,
      call.code.id,
      call.code.hash,
    call.code.expiresAt,
  ]);
}

/** Expires a request found expired on a refused consent form (that path's second statement). */
export async function expireRequest(pool: SqlPool, customerId: string, authRequestId: string, now: Date, reason: string): Promise<void> {
  await pool.query({ name: 'ids_flow_expire_request', text: 'select ids_flow_expire_request($1, $2, $3, $4)', values: [customerId, authRequestId, now, reason] });
}
