import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService } from '../audit';
import { Database, platformScope } from '../db/scope';
import type { KeyRing } from '../keys';
import { Clock } from '../shared/clock';
import { Logger } from '../shared/logger';
import { DeletionKind, DeletionReason, DeletionStatus, OPEN_STATUSES } from './deletion-request.entity';
import { DeletionRequestNotVisibleError } from './erasure.errors';
import { ErasureService } from './erasure.service';
import { erasureSteps, ErasureTarget } from './erasure.steps';
import { openRequestUsername, usernameLookupHash } from './person-name';
import {
  customersWithRetention,
  lockDeletionRequest,
  lockProfilesPastRetention,
  markRequestCompleted,
  markRequestFailed,
  markRequestRunning,
  recordRequestFailure,
  RequestRow,
  requestCounts,
  selectStalledRequests,
} from './erasure.repository';

/** Errors in a row before a request is given up as FAILED (its username is then cleared). */
export const MAX_FAILURES = 5;
/** Requests one sweep or retention run works through before leaving the rest to the next run. */
const MAX_REQUESTS_PER_RUN = 100;
/** Retention batches (of `batchSize` profiles) per customer per run. */
const MAX_RETENTION_BATCHES = 100;

export interface ErasurePurgeDeps {
  db: Database;
  em: EntityManager;
  clock: Clock;
  audit: AuditService;
  erasure: ErasureService;
  batchSize: number;
  log: Logger;
  keys: KeyRing;
  /** Called in the completing transaction of each request (the privacy center's DELETION requests complete). */
  onCompleted?(request: CompletedDeletion): Promise<void>;
}

/** A deletion request as it completes: whose erasure it was (a PROFILE request names the person by subject hash). */
export interface CompletedDeletion {
  id: string;
  kind: DeletionKind;
  customerId: string;
  subjectHash: string | null;
}

/** Test seam: called after each committed batch (a crash there leaves exactly what a killed worker leaves). */
export type AfterBatch = (step: string, removed: Record<string, number>) => void | Promise<void>;

const OPEN = new Set<string>(OPEN_STATUSES);

/**
 * Runs deletion requests: each batch of each step is its own transaction on the platform path,
 * which locks the request row, removes at most `batchSize` rows and adds them to the request's
 * counts. A crash loses at most an uncommitted batch; running the request again (a retry, the
 * sweep) continues where it stopped, and two workers on one request take turns on that lock.
 */
export class ErasurePurge {
  constructor(private readonly deps: ErasurePurgeDeps) {}

  /** Processes one request to its end and answers its final status (or the one it already had). */
  async process(id: string, afterBatch?: AfterBatch): Promise<DeletionStatus> {
    try {
      return await this.run(id, afterBatch);
    } catch (err) {
      if (!(err instanceof DeletionRequestNotVisibleError)) await this.recordFailure(id, err);
      throw err;
    }
  }

  /**
   * Picks up what no worker is moving: PENDING requests (queued while Redis was down, or whose job
   * was lost) and RUNNING ones without progress for `staleSeconds` (their worker died).
   */
  async sweep(staleSeconds: number): Promise<{ processed: number; completed: number; failed: number }> {
    const staleBefore = new Date(this.deps.clock.now().getTime() - staleSeconds * 1000);
    const rows = await this.deps.db.run(platformScope('erasure sweep', { routine: true }), () => selectStalledRequests(this.deps.em, staleBefore, MAX_REQUESTS_PER_RUN));
    const result = { processed: 0, completed: 0, failed: 0 };
    for (const { id } of rows) {
      result.processed++;
      try {
        if ((await this.process(id)) === DeletionStatus.COMPLETED) result.completed++;
      } catch (err) {
        result.failed++;
        this.deps.log.error({ err, deletionRequestId: id }, 'deletion request failed');
      }
    }
    if (result.processed > 0) this.deps.log.info({ ...result }, 'swept deletion requests');
    return result;
  }

  /**
   * Per-customer profile retention: erases, through a deletion request each (the same path and
   * receipts as a person's own request), every profile not seen for its customer's
   * `profileRetentionDays`. Answers the requests completed and the rows removed per table.
   */
  async applyRetention(): Promise<{ erased: number; removed: Record<string, number> }> {
    const now = this.deps.clock.now();
    const customers = await this.deps.db.run(platformScope('profile retention', { routine: true }), () => customersWithRetention(this.deps.em));
    const summary = { erased: 0, removed: {} as Record<string, number> };
    for (const customer of customers) {
      const cutoff = new Date(now.getTime() - customer.days * 86_400_000);
      for (let batch = 0; batch < MAX_RETENTION_BATCHES; batch++) {
        const ids = await this.deps.db.run(platformScope('profile retention'), async () => {
          const profiles = await lockProfilesPastRetention(this.deps.em, customer.id, cutoff, this.deps.batchSize);
          const requests = [];
          for (const p of profiles) {
            const username = await this.deps.erasure.openUsername(p);
            // A profile whose key is gone already has (or had) a request of its own.
            if (username === null) continue;
            requests.push(await this.deps.erasure.openProfileRequest({ id: p.id, customerId: customer.id, username, personKeyId: p.person_key_id }, DeletionReason.RETENTION));
          }
          return requests.map((r) => r.id);
        });
        for (const id of ids) {
          if ((await this.process(id)) !== DeletionStatus.COMPLETED) continue;
          summary.erased++;
          const counts = await this.deps.db.run(platformScope('profile retention', { routine: true }), () => requestCounts(this.deps.em, id));
          for (const [table, n] of Object.entries(counts ?? {})) summary.removed[table] = (summary.removed[table] ?? 0) + n;
        }
        if (ids.length < this.deps.batchSize) break;
      }
    }
    if (summary.erased > 0) this.deps.log.info(summary, 'erased profiles past their retention');
    return summary;
  }

  private async run(id: string, afterBatch?: AfterBatch): Promise<DeletionStatus> {
    const first = await this.inRequest(id, false, async (row) => row);
    if (first === null) throw new DeletionRequestNotVisibleError(id);
    if (!OPEN.has(first.status)) return first.status;
    const target = await this.targetOf(first);
    for (const step of erasureSteps(target.kind, this.deps)) {
      for (;;) {
        const removed = await this.inRequest(id, true, async (row) => {
          if (!OPEN.has(row.status)) return null;
          const removed = await step.run(target, this.deps.batchSize);
          await this.progress(row, removed);
          return removed;
        });
        if (removed === null) return this.statusOf(id);
        await afterBatch?.(step.name, removed);
        if (Object.values(removed).every((n) => n === 0)) break;
      }
    }
    return this.complete(id);
  }

  private async complete(id: string): Promise<DeletionStatus> {
    return (await this.inRequest(id, false, async (row) => {
      if (!OPEN.has(row.status)) return row.status;
      await markRequestCompleted(this.deps.em, id, this.deps.clock.now());
      await this.deps.onCompleted?.({ id, kind: row.kind, customerId: row.customer_id, subjectHash: row.subject_hash });
      const isProfile = row.kind === DeletionKind.PROFILE;
      await this.deps.audit.record({
        customerId: row.customer_id,
        action: isProfile ? 'profile.deleted' : 'customer.data_deleted',
        target: isProfile ? { type: 'profile', id: row.profile_id } : { type: 'customer', id: row.customer_id },
        subjectHash: row.subject_hash,
        details: { deletionRequestId: id, reason: row.reason, counts: row.counts },
      });
      this.deps.log.info({ deletionRequestId: id, kind: row.kind, counts: row.counts }, 'deletion request completed');
      return DeletionStatus.COMPLETED;
    }))!;
  }

  private async recordFailure(id: string, err: unknown): Promise<void> {
    const kind = String((err as { code?: string }).code ?? (err as Error).name ?? 'Error').slice(0, 64);
    await this.inRequest(id, false, async (row) => {
      if (!OPEN.has(row.status)) return;
      const failures = row.failures + 1;
      if (failures < MAX_FAILURES) {
        await recordRequestFailure(this.deps.em, id, failures, kind);
        return;
      }
      // Given up: nothing may keep the username any longer. A new request can be made while the profile exists.
      await markRequestFailed(this.deps.em, id, failures, kind, this.deps.clock.now());
      await this.deps.audit.record({
        customerId: row.customer_id,
        action: row.kind === DeletionKind.PROFILE ? 'profile.deletion_failed' : 'customer.data_deletion_failed',
        target: { type: 'deletion_request', id },
        subjectHash: row.subject_hash,
        details: { deletionRequestId: id, error: kind, counts: row.counts },
      });
    }).catch((e: unknown) => this.deps.log.error({ err: e, deletionRequestId: id }, 'could not record a deletion failure'));
  }

  /** Adds a batch's rows to the counts and marks the request RUNNING with fresh progress. */
  private async progress(row: RequestRow, removed: Record<string, number>): Promise<void> {
    const counts = { ...row.counts };
    for (const [table, n] of Object.entries(removed)) if (n > 0 || counts[table] === undefined) counts[table] = (counts[table] ?? 0) + n;
    await markRequestRunning(this.deps.em, row.id, counts, this.deps.clock.now());
  }

  private async statusOf(id: string): Promise<DeletionStatus> {
    return (await this.inRequest(id, false, async (row) => row.status)) ?? DeletionStatus.FAILED;
  }

  /** Runs `fn` in its own platform transaction with the request row locked; null when there is no such request. */
  private inRequest<T>(id: string, routine: boolean, fn: (row: RequestRow) => Promise<T>): Promise<T | null> {
    return this.deps.db.run(platformScope(`erasure of deletion request ${id}`, { routine }), async () => {
      const row = await lockDeletionRequest(this.deps.em, id);
      return row ? fn(row) : null;
    });
  }

  /** Whose rows the request removes: sealed rows by the username's lookup hash, rows from before encryption by the clear name. */
  private async targetOf(row: RequestRow): Promise<ErasureTarget> {
    if (row.kind === DeletionKind.CUSTOMER) return { kind: 'customer', customerId: row.customer_id };
    const username = await openRequestUsername(this.deps.keys, row.customer_id, row.id, row.username);
    return {
      kind: 'profile',
      customerId: row.customer_id,
      profileId: row.profile_id!,
      username,
      usernameHash: username === null ? null : await usernameLookupHash(this.deps.keys, row.customer_id, username),
      subjectHash: row.subject_hash!,
    };
  }
}
