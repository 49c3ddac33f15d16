import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService } from '../audit';
import { deleteBatch, supersedeProfileRequests } from './erasure.repository';

/**
 * Whose data a request removes: one person of a customer, or all of a customer's. A person's rows
 * are sealed and matched by the username's lookup hash (`username_hash`); rows written before
 * encryption (`person_key_id` null) hold the username in clear and are matched by it. Either may be
 * unknown (null) when the name can no longer be opened; the profile is then found by its id.
 */
export type ErasureTarget =
  | { kind: 'profile'; customerId: string; profileId: string; username: string | null; usernameHash: string | null; subjectHash: string }
  | { kind: 'customer'; customerId: string };

type PersonTarget = Extract<ErasureTarget, { kind: 'profile' }>;

/**
 * One batch of one kind of row: removes at most `batchSize` of them in the caller's transaction
 * and answers how many per table. Idempotent: a batch repeated after a crash finds less to remove,
 * and a step is done when a batch removes nothing.
 */
export interface ErasureStep {
  name: string;
  run(target: ErasureTarget, batchSize: number): Promise<Record<string, number>>;
}

/** What the steps run with: the unit of work's EntityManager, and the audit trail whose payloads they erase. */
interface StepDeps {
  em: EntityManager;
  audit: AuditService;
}

function rows(em: EntityManager, table: string, person: (t: PersonTarget) => [string, unknown[]]): ErasureStep {
  return {
    name: table,
    run: (target, batchSize) => {
      if (target.kind === 'customer') return deleteBatch(em, table, 'customer_id = ?', [target.customerId], batchSize);
      const [where, params] = person(target);
      return deleteBatch(em, table, `customer_id = ? and ${where}`, [target.customerId, ...params], batchSize);
    },
  };
}

/** Any of `conditions` whose value is known; `false` when none is. */
function anyOf(conditions: Array<[string, unknown[]] | null>): [string, unknown[]] {
  const known = conditions.filter((c): c is [string, unknown[]] => c !== null);
  if (known.length === 0) return ['false', []];
  return [`(${known.map(([sql]) => sql).join(' or ')})`, known.flatMap(([, params]) => params)];
}

/** A row naming the person: sealed ones by the lookup hash, ones from before encryption by the clear name. */
function named(t: PersonTarget): [string, unknown[]] {
  return anyOf([t.usernameHash === null ? null : ['username_hash = ?', [t.usernameHash]], t.username === null ? null : ['(person_key_id is null and username = ?)', [t.username]]]);
}

/** An auth request is the person's when the AW named them, or when the RP asked for them by claimed identifier. */
function personRequests(t: PersonTarget): [string, unknown[]] {
  return anyOf([
    t.usernameHash === null ? null : [`(username_hash = ? or openid_request->>'usernameHintHash' = ?)`, [t.usernameHash, t.usernameHash]],
    t.username === null ? null : [`((person_key_id is null and username = ?) or openid_request->>'usernameHint' = ?)`, [t.username, t.username]],
  ]);
}

/**
 * What one person leaves behind, in deletion order: dependents before what they refer to, and the
 * profile last, so a request interrupted half-way can still be found and finished by its username.
 */
function personalSteps({ em, audit }: StepDeps): ErasureStep[] {
  return [
    rows(em, 'oauth_login_code', named),
    // OpenID Connect codes and refresh tokens (issue 19) name their user only sealed, beside its lookup hash.
    rows(em, 'oidc_code', (t) => anyOf([t.usernameHash === null ? null : ['username_hash = ?', [t.usernameHash]]])),
    rows(em, 'oauth_refresh_token', (t) => anyOf([t.usernameHash === null ? null : ['subject_hash = ?', [t.usernameHash]]])),
    // Access tokens name their subject sealed, with its lookup hash in `subject_hash`; clear on a token issued before encryption.
    rows(em, 'oauth_access_token', (t) =>
      anyOf([t.usernameHash === null ? null : ['subject_hash = ?', [t.usernameHash]], t.username === null ? null : ['(person_key_id is null and subject = ?)', [t.username]]]),
    ),
    rows(em, 'auth_request_transition', (t) => {
      const [where, params] = personRequests(t);
      return [`auth_request_id in (select id from auth_request where customer_id = ? and ${where})`, [t.customerId, ...params]];
    }),
    rows(em, 'auth_request', personRequests),
    rows(em, 'consent_decision', named),
    // Webhook deliveries about the person carry their username in the body (attempts go with them).
    rows(em, 'webhook_delivery', (t) => ['subject_hash = ?', [t.subjectHash]]),
    {
      // The history of previous values: audit payloads (the chain keeps only their digests).
      name: 'audit_payload',
      run: (target, batchSize) =>
        audit.erasePayloads(target.kind === 'profile' ? { customerId: target.customerId, subjectHash: target.subjectHash } : { customerId: target.customerId }, batchSize),
    },
    rows(em, 'profile', (t) => {
      const [where, params] = named(t);
      return [`(id = ? or ${where})`, [t.profileId, ...params]];
    }),
  ];
}

/** The steps of a request of this kind. Offboarding also removes the customer's credentials and protocol state. */
export function erasureSteps(kind: ErasureTarget['kind'], deps: StepDeps): ErasureStep[] {
  if (kind === 'profile') return personalSteps(deps);
  const { em } = deps;
  const customer = (table: string): ErasureStep => ({
    name: table,
    run: (target, batchSize) => deleteBatch(em, table, 'customer_id = ?', [target.customerId], batchSize),
  });
  return [
    {
      // Requests for single people of this customer are covered by this one; they must not keep a username.
      name: 'deletion_request',
      run: async (target, batchSize) => ({ deletion_request_superseded: await supersedeProfileRequests(em, target.customerId, batchSize) }),
    },
    ...personalSteps(deps),
    customer('webhook_endpoint'),
    customer('oauth_client'),
    customer('customer_api_key'),
    customer('operator_token'),
    customer('openid_association'),
    customer('openid_nonce'),
    // The chart's counts of the customer's purged sign-ins (no person in them, but the customer's all
    // the same). After auth_request: a purge that folds a request in meanwhile leaves no row behind.
    customer('sign_in_hour_count'),
    // The people's privacy requests (issue 22): no personal value in them, but the customer's records all the same.
    customer('privacy_request'),
  ];
}
