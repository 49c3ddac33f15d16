import { randomBytes } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { isSealed, type KeyRing } from '../keys';
import { Clock } from '../shared/clock';
import { Page } from '../shared/pagination';
import { Tenant } from '../shared/tenant';
import { SecretKeyRing } from '../shared/secret-key-ring';
import { Actor, currentActor } from './actor';
import { insertOutboxRow, PayloadOwner, selectOutboxBacklog } from './audit-outbox.repository';
import { AuditDrain } from './audit-drain';
import { AuditEntry, AuditFilter, AuditQueries, ChainVerification, FieldChange } from './audit.query';
import { subjectHash } from './chain';
import { sealOutboxPayload } from './payload-cipher';
import { FieldProvenance, selectFieldProvenance } from './field-provenance.repository';

export type { AuditEntry, AuditFilter, ChainVerification, FieldChange } from './audit.query';
export type { FieldProvenance } from './field-provenance.repository';

/** One change to record, as the service that made it describes it. */
export interface AuditRecord {
  /** Whose chain it joins; null for platform-wide events (platform operator tokens). */
  customerId: string | null;
  /** What happened, as `noun.verb`: `profile.updated`, `consent.revoked`, `token.issued`, … */
  action: string;
  target: { type: string; id: string | null };
  /** The person it is about (the AW's username, in clear). Kept only in the erasable payload, sealed under their key. */
  username?: string | null;
  /**
   * The person by keyed hash only (see `subjectHash`), for events that must name someone without
   * holding anything personal, such as an erasure's own events. Ignored when `username` is given.
   */
  subjectHash?: string | null;
  /** Personal values changed, by field name; the names are in the chain, the values in the payload. */
  changes?: Readonly<Record<string, FieldChange>>;
  /** Facts that are not personal data (scopes, client ids, configuration field names). */
  details?: Record<string, unknown>;
  /** Defaults to the actor of the current unit of work (see actor.ts). */
  actor?: Actor;
}

export interface AuditServiceDeps {
  em: EntityManager;
  clock: Clock;
  /**
   * Subject hashes are matched by equality for as long as the trail lives (filters, erasure,
   * exports, the chain itself), so they use the ring's stable (oldest listed) version, not the newest.
   */
  secretKeys: SecretKeyRing;
  /** The person keys that payloads are sealed under (issue 17). */
  keys: KeyRing;
}

/**
 * The audit trail. Services call `record` (the writer, here) inside the unit of work of the change
 * they describe; the audit worker calls `drain` (audit-drain.ts), the only code that writes
 * `audit_event`; the API reads through `list` and `verifyChain` (audit.query.ts).
 */
export class AuditService {
  private readonly chains: AuditDrain;
  private readonly queries: AuditQueries;

  constructor(private readonly deps: AuditServiceDeps) {
    this.chains = new AuditDrain(deps);
    this.queries = new AuditQueries({ em: deps.em, keys: deps.keys, subjectHash: (customerId, username) => this.subjectHash(customerId, username) });
  }

  /** The keyed hash the trail stores instead of a username. */
  subjectHash(customerId: string, username: string): string {
    return subjectHash(this.deps.secretKeys.stable.secret.reveal(), customerId, username);
  }

  /**
   * Adds an event to the outbox, in the current unit of work: it exists if and only if the change
   * commits. The username and changed values are sealed under the person's key (made if they have
   * none yet) before they are written, as the login's SQL functions seal theirs.
   */
  async record(record: AuditRecord): Promise<void> {
    const actor = record.actor ?? currentActor();
    const username = record.username ?? null;
    const changes = record.changes ?? null;
    const hash = username !== null && record.customerId !== null ? this.subjectHash(record.customerId, username) : (record.subjectHash ?? null);
    // The salt keeps the payload's digest (which stays in the chain after erasure) from revealing guessable values.
    let payload: Record<string, unknown> | null = username !== null || changes !== null ? { salt: randomBytes(16).toString('hex'), subject: username, changes } : null;
    // Without a person (platform events, or changes naming nobody) there is no key to seal under; such payloads hold nothing personal.
    // The username must come in clear: a sealed one (a caller that did not open it) gets no key made for it, and its payload cannot be opened later.
    if (payload !== null && username !== null && !isSealed(username) && record.customerId !== null && hash !== null) {
      const person = await this.deps.keys.person(record.customerId, username, hash);
      payload = sealOutboxPayload(person, record.target, { salt: payload.salt as string, subject: username, changes });
    }
    await insertOutboxRow(this.deps.em, {
      customerId: record.customerId,
      occurredAt: this.deps.clock.now(),
      actorKind: actor.kind,
      actorId: actor.id,
      action: record.action,
      targetType: record.target.type,
      targetId: record.target.id,
      subjectHash: hash,
      fields: Object.keys(changes ?? {}).sort(),
      details: record.details ?? null,
      payload,
    });
  }

  /** Outbox events not yet on their chains and the age of the oldest (for the metrics), in the current unit of work (the platform scope sees every customer's). */
  outboxBacklog(): Promise<{ undrained: number; oldestSeconds: number | null }> {
    return selectOutboxBacklog(this.deps.em, this.deps.clock.now());
  }

  /** Moves up to `batchSize` outbox events onto their chains (see AuditDrain.drain), in the current unit of work. */
  drain(batchSize: number): Promise<number> {
    return this.chains.drain(batchSize);
  }

  /** The upgrade: seals a batch of payloads stored in clear before encryption at rest (see AuditDrain.sealLegacyPayloads). */
  sealLegacyPayloads(afterEventId: string, batchSize: number): Promise<string | null> {
    return this.chains.sealLegacyPayloads(afterEventId, batchSize);
  }

  /** Erasure: removes up to `batchSize` audit payloads of `who` (see AuditDrain.erasePayloads). */
  erasePayloads(who: PayloadOwner, batchSize: number): Promise<{ audit_outbox: number; audit_payload: number }> {
    return this.chains.erasePayloads(who, batchSize);
  }

  /**
   * Where each of a person's attribute values came from: per field, the latest `profile.created` or
   * `profile.updated` event that changed it (when, and which actor), in the current unit of work.
   */
  fieldProvenance(customerId: string, username: string): Promise<FieldProvenance[]> {
    return selectFieldProvenance(this.deps.em, customerId, this.subjectHash(customerId, username));
  }

  /** Audit events `tenant` may see, newest first. */
  list(filter: AuditFilter, first: number, after: string | null | undefined, tenant: Tenant): Promise<Page<AuditEntry>> {
    return this.queries.list(filter, first, after, tenant);
  }

  /** Recomputes a chain and answers ok or its first broken link (see AuditQueries.verifyChain). */
  verifyChain(customerId: string | null): Promise<ChainVerification> {
    return this.queries.verifyChain(customerId);
  }
}
