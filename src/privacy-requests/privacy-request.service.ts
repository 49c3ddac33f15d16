import { LockMode } from '@mikro-orm/core';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { AuditService, currentActor } from '../audit';
import type { ErasureService } from '../erasure';
import { Clock } from '../shared/clock';
import { NotFoundError, ValidationError } from '../shared/errors';
import { isUuid } from '../shared/ids';
import { checkPageSize, encodeCursor, afterCursor, Page } from '../shared/pagination';
import { customerTenant, customerWhere, Tenant } from '../shared/tenant';
import { OPEN_PRIVACY_STATUSES, PrivacyRequest, PrivacyRequestChannel, PrivacyRequestKind, PrivacyRequestStatus } from './privacy-request.entity';
import { PrivacyRequestNotPendingError } from './privacy-request.errors';
import {
  CompletedRow,
  completeInProgress,
  completeOpenDeletionsOf,
  countOverdue,
  findOpenDeletion,
  findPendingObjection,
  replaceTypedOutcomesOf,
} from './privacy-request.repository';
import { dueDateOf, PrivacyRequestFilter, PrivacyRequestRecord, ReceivePrivacyRequest, toRecord } from './privacy-request.record';

/** The outcome of a DELETION request answered by the person's erasure. */
export const ERASED_OUTCOME = 'The data was erased.';
/** The outcome of an approved DELETION request whose person was already erased. */
export const ALREADY_ERASED_OUTCOME = 'The data had already been erased.';
/** The outcome of an EXPORT request once its export is built. */
export const EXPORT_READY_OUTCOME = 'The export is ready to download.';
/** What replaces a typed note or reason (which may name the person) once the person is erased. */
export const REMOVED_OUTCOME = "The reason was removed with the person's data.";
const FIXED_OUTCOMES = [ERASED_OUTCOME, ALREADY_ERASED_OUTCOME, EXPORT_READY_OUTCOME];

/** Longest decline reason or approval note kept (it is shown to the person on their receipt). */
export const MAX_OUTCOME_LENGTH = 500;

export interface PrivacyRequestServiceDeps {
  em: EntityManager;
  clock: Clock;
  audit: AuditService;
  /** Starts the erasure an approved DELETION request asks for. */
  erasure: Pick<ErasureService, 'requestProfileDeletion'>;
}

/**
 * Data subjects' requests (issue 22): received from the privacy center, listed with their due
 * dates, decided by the customer when they wait for review, and completed by the work that answers
 * them (an export build, an erasure purge: hooks wired in the composition root). Every change is
 * audited on the customer's chain, naming the person by subject hash only.
 */
export class PrivacyRequestService {
  constructor(private readonly deps: PrivacyRequestServiceDeps) {}

  /**
   * Records a request, due 30 days from now, in the caller's transaction when there is one; audits
   * `privacy_request.received` (and `privacy_request.completed` when it is answered at once). A
   * person has one open DELETION request and one pending OBJECTION per grounds: a repeat (or a
   * concurrent twin, which the unique index stops) is answered with the open one, recording nothing.
   */
  async receive(input: ReceivePrivacyRequest): Promise<PrivacyRequestRecord> {
    const now = this.deps.clock.now();
    const status = input.status as PrivacyRequestStatus;
    if (!(Object.values(PrivacyRequestKind) as string[]).includes(input.kind)) throw new ValidationError('kind', 'unknown privacy request kind');
    if (![PrivacyRequestStatus.PENDING_REVIEW, PrivacyRequestStatus.IN_PROGRESS, PrivacyRequestStatus.COMPLETED].includes(status)) {
      throw new ValidationError('status', 'a request comes in waiting for review, in progress or completed');
    }
    const open = await this.openTwin(input, status);
    if (open) return toRecord(open, now);
    try {
      return await this.insert(input, status, now);
    } catch (err) {
      // A concurrent DELETION of the same person committed first (the insert's savepoint is rolled back).
      const twin = err instanceof UniqueConstraintViolationException ? await this.openTwin(input, status) : null;
      if (twin === null) throw err;
      return toRecord(twin, now);
    }
  }

  /** The person's open DELETION request, or null (the privacy center answers a repeated deletion with it). */
  async openDeletion(customerId: string, subjectHash: string): Promise<PrivacyRequestRecord | null> {
    const row = await findOpenDeletion(this.deps.em, customerId, subjectHash);
    return row ? toRecord(row, this.deps.clock.now()) : null;
  }

  private openTwin(input: ReceivePrivacyRequest, status: PrivacyRequestStatus): Promise<PrivacyRequest | null> {
    if (input.kind === PrivacyRequestKind.DELETION) return findOpenDeletion(this.deps.em, input.customerId, input.subjectHash);
    if (input.kind === PrivacyRequestKind.OBJECTION && status === PrivacyRequestStatus.PENDING_REVIEW) {
      return findPendingObjection(this.deps.em, input.customerId, input.subjectHash, input.details?.grounds);
    }
    return Promise.resolve(null);
  }

  private insert(input: ReceivePrivacyRequest, status: PrivacyRequestStatus, now: Date): Promise<PrivacyRequestRecord> {
    return this.deps.em.transactional(async (em) => {
      const row = em.create(PrivacyRequest, {
        customer: input.customerId,
        kind: input.kind as PrivacyRequestKind,
        status,
        channel: PrivacyRequestChannel.PRIVACY_CENTER,
        profileId: input.profileId,
        subjectHash: input.subjectHash,
        details: input.details ?? {},
        exportId: input.exportId ?? null,
        deletionRequestId: input.deletionRequestId ?? null,
        receivedAt: now,
        dueAt: dueDateOf(now),
        completedAt: status === PrivacyRequestStatus.COMPLETED ? now : null,
        outcome: input.outcome ?? null,
        updatedAt: now,
      });
      await em.flush();
      await this.audit('privacy_request.received', row, { status, dueAt: row.dueAt.toISOString(), channel: row.channel, ...row.details });
      if (status === PrivacyRequestStatus.COMPLETED) await this.audit('privacy_request.completed', row, { status });
      return toRecord(row, now);
    });
  }

  /** The person's requests, newest first (their privacy center's list). */
  async forSubject(customerId: string, subjectHash: string, limit: number): Promise<PrivacyRequestRecord[]> {
    const rows = await this.deps.em.find(PrivacyRequest, { customer: customerId, subjectHash }, { orderBy: { receivedAt: 'desc', id: 'desc' }, limit });
    const now = this.deps.clock.now();
    return rows.map((r) => toRecord(r, now));
  }

  /** One request of the customer, with no tenant check: for a receipt whose token the caller has proved. */
  async getForReceipt(customerId: string, id: string): Promise<PrivacyRequestRecord | null> {
    if (!isUuid(id) || !isUuid(customerId)) return null;
    const row = await this.deps.em.findOne(PrivacyRequest, { id: id.toLowerCase(), customer: customerId.toLowerCase() });
    return row ? toRecord(row, this.deps.clock.now()) : null;
  }

  /** The export `exportId` is built: its IN_PROGRESS EXPORT request is COMPLETED (idempotent), in the caller's transaction. */
  async completeForExport(exportId: string, outcome: string): Promise<void> {
    await this.completeBy('export_id', exportId, outcome);
  }

  /** The erasure `deletionRequestId` is done: its IN_PROGRESS DELETION request is COMPLETED (idempotent), in the caller's transaction. */
  async completeForDeletion(deletionRequestId: string): Promise<void> {
    await this.completeBy('deletion_request_id', deletionRequestId, ERASED_OUTCOME);
  }

  /**
   * The person's erasure is done, however it came (the center, the API, retention): every open
   * DELETION request of theirs is COMPLETED, and the notes and reasons someone typed on their other
   * requests (which may name them) are replaced by REMOVED_OUTCOME. In the caller's transaction.
   */
  async completeForErasedSubject(customerId: string, subjectHash: string): Promise<void> {
    if (!isUuid(customerId)) return;
    const now = this.deps.clock.now();
    const rows = await completeOpenDeletionsOf(this.deps.em, customerId.toLowerCase(), subjectHash, ERASED_OUTCOME, now);
    for (const row of rows) await this.auditCompleted(row);
    await replaceTypedOutcomesOf(this.deps.em, customerId.toLowerCase(), subjectHash, FIXED_OUTCOMES, REMOVED_OUTCOME, now);
  }

  /**
   * Approves a request waiting for review: a DELETION starts its erasure (IN_PROGRESS until the
   * purge completes it); anything else is COMPLETED with `note` as its outcome. Another tenant's or
   * a missing request is NOT_FOUND; one not waiting for review is PRIVACY_REQUEST_NOT_PENDING.
   */
  async approve(id: string, note: string | null, tenant: Tenant): Promise<PrivacyRequestRecord> {
    const outcome = checkOutcome(note, 'note');
    return this.deps.em.transactional(async (em) => {
      const row = await this.lockPending(em, id, tenant);
      const now = this.deps.clock.now();
      const actor = currentActor();
      em.assign(row, { decidedByKind: actor.kind, decidedById: actor.id, updatedAt: now, outcome });
      if (row.kind === PrivacyRequestKind.DELETION && row.profileId !== null) {
        const erasure = await this.startErasure(row.profileId, row.customer.id);
        if (erasure !== null) {
          em.assign(row, { status: PrivacyRequestStatus.IN_PROGRESS, deletionRequestId: erasure });
          await em.flush();
          await this.audit('privacy_request.approved', row, { status: row.status, deletionRequestId: erasure });
          return toRecord(row, now);
        }
        // Erased meanwhile (through the API, or by retention): nothing is left to erase.
        em.assign(row, { outcome: outcome ?? ALREADY_ERASED_OUTCOME });
      }
      em.assign(row, { status: PrivacyRequestStatus.COMPLETED, completedAt: now });
      await em.flush();
      await this.audit('privacy_request.approved', row, { status: row.status });
      await this.audit('privacy_request.completed', row, { status: row.status });
      return toRecord(row, now);
    });
  }

  /** Declines a request waiting for review, with the reason the person is shown (1-500 characters). */
  async decline(id: string, reason: string, tenant: Tenant): Promise<PrivacyRequestRecord> {
    const outcome = checkOutcome(reason, 'reason');
    if (outcome === null) throw new ValidationError('reason', 'a reason is required');
    return this.deps.em.transactional(async (em) => {
      const row = await this.lockPending(em, id, tenant);
      const now = this.deps.clock.now();
      const actor = currentActor();
      em.assign(row, { status: PrivacyRequestStatus.DECLINED, outcome, completedAt: now, updatedAt: now, decidedByKind: actor.kind, decidedById: actor.id });
      await em.flush();
      await this.audit('privacy_request.declined', row, { status: row.status });
      return toRecord(row, now);
    });
  }

  /** Requests `tenant` may see, newest first, cursor-paginated. */
  async list(filter: PrivacyRequestFilter, first: number, after: string | null | undefined, tenant: Tenant): Promise<Page<PrivacyRequestRecord>> {
    checkPageSize(first);
    const now = this.deps.clock.now();
    const where: Record<string, unknown> = { ...afterCursor(after, 'receivedAt', 'desc'), ...customerWhere(tenant) };
    if (filter.customerId) {
      if (!isUuid(filter.customerId) || (tenant.kind === 'customer' && tenant.customerId !== filter.customerId.toLowerCase())) return { items: [], hasNextPage: false, endCursor: null };
      where.customer = filter.customerId.toLowerCase();
    }
    const bySubject = this.subjectOf(tenant);
    if (bySubject !== null) where.subjectHash = bySubject;
    if (filter.kind) where.kind = filter.kind;
    const and: Array<Record<string, unknown>> = [];
    if (filter.status) and.push({ status: filter.status });
    if (filter.isOverdue === true) and.push({ status: { $in: [...OPEN_PRIVACY_STATUSES] }, dueAt: { $lt: now } });
    if (filter.isOverdue === false) and.push({ $or: [{ status: { $nin: [...OPEN_PRIVACY_STATUSES] } }, { dueAt: { $gte: now } }] });
    if (and.length > 0) where.$and = and;
    const rows = await this.deps.em.find(PrivacyRequest, where, { orderBy: { receivedAt: 'desc', id: 'desc' }, limit: first + 1 });
    const items = rows.slice(0, first);
    const last = items[items.length - 1];
    return { items: items.map((r) => toRecord(r, now)), hasNextPage: rows.length > first, endCursor: last ? encodeCursor({ createdAt: last.receivedAt, id: last.id }) : null };
  }

  /** One request `tenant` may see, or null (missing, malformed, another customer's or another user's). */
  async get(id: string, tenant: Tenant): Promise<PrivacyRequestRecord | null> {
    const row = await this.find(this.deps.em, id, tenant, false);
    return row ? toRecord(row, this.deps.clock.now()) : null;
  }

  /** Open requests past their due date in this database (every customer's; the caller runs it on the platform path). */
  overdueCount(): Promise<number> {
    return countOverdue(this.deps.em, this.deps.clock.now());
  }

  private async completeBy(column: 'export_id' | 'deletion_request_id', value: string, outcome: string): Promise<void> {
    if (!isUuid(value)) return;
    const rows = await completeInProgress(this.deps.em, column, value.toLowerCase(), outcome, this.deps.clock.now());
    for (const row of rows) await this.auditCompleted(row);
  }

  private async auditCompleted(row: CompletedRow): Promise<void> {
    await this.deps.audit.record({
      customerId: row.customer_id,
      action: 'privacy_request.completed',
      target: { type: 'privacy_request', id: row.id },
      subjectHash: row.subject_hash,
      details: { kind: row.kind, status: PrivacyRequestStatus.COMPLETED, profileId: row.profile_id },
    });
  }

  private async lockPending(em: EntityManager, id: string, tenant: Tenant): Promise<PrivacyRequest> {
    const row = await this.find(em, id, tenant, true);
    if (!row) throw new NotFoundError('privacy request', id);
    if (row.status !== PrivacyRequestStatus.PENDING_REVIEW) throw new PrivacyRequestNotPendingError(row.id, row.status);
    return row;
  }

  private async find(em: EntityManager, id: string, tenant: Tenant, lock: boolean): Promise<PrivacyRequest | null> {
    if (!isUuid(id)) return null;
    const where: Record<string, unknown> = { id: id.toLowerCase(), ...customerWhere(tenant) };
    const bySubject = this.subjectOf(tenant);
    if (bySubject !== null) where.subjectHash = bySubject;
    return em.findOne(PrivacyRequest, where, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } : {});
  }

  /** A user-bound token sees its own user's requests only. */
  private subjectOf(tenant: Tenant): string | null {
    return tenant.kind === 'customer' && tenant.subject !== undefined ? this.deps.audit.subjectHash(tenant.customerId, tenant.subject) : null;
  }

  /** The erasure of the profile, started; null when the profile is gone already. */
  private async startErasure(profileId: string, customerId: string): Promise<string | null> {
    try {
      return (await this.deps.erasure.requestProfileDeletion(profileId, customerTenant(customerId))).id;
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  private async audit(action: string, row: PrivacyRequest, details: Record<string, unknown>): Promise<void> {
    await this.deps.audit.record({
      customerId: row.customer.id,
      action,
      target: { type: 'privacy_request', id: row.id },
      subjectHash: row.subjectHash,
      details: { kind: row.kind, profileId: row.profileId, ...details },
    });
  }
}

/** A note or reason trimmed, at most MAX_OUTCOME_LENGTH characters; null when empty. */
function checkOutcome(value: string | null, field: string): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length > MAX_OUTCOME_LENGTH) throw new ValidationError(field, `${field} must be at most ${MAX_OUTCOME_LENGTH} characters`);
  return trimmed === '' ? null : trimmed;
}
