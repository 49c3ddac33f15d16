import type { EntityManager } from '@mikro-orm/postgresql';
import { Database, platformScope } from '../db/scope';
import { ValidationError } from '../shared/errors';
import { Logger } from '../shared/logger';
import { customerContext } from './key-ring';
import { KeyProvider, UnknownKeyVersionError } from './key-provider';
import { KeyVersionSummary, summarizeVersions } from './key-versions';
import { KeyToRewrap, rewrapCustomerKey, selectKeysToRewrap, selectKeyVersionCounts } from './key-rotation.repository';

/** Why a customer key could not be re-wrapped. */
export enum RotationFailureReason {
  /** Its KEK version is not in MASTER_KEYS (any more): nothing here can unwrap it. */
  VERSION_NOT_CONFIGURED = 'VERSION_NOT_CONFIGURED',
  /** Its version is configured but it does not open under that KEK (altered, or a wrong key configured for the version). */
  UNWRAP_FAILED = 'UNWRAP_FAILED',
}

export interface RotationFailure {
  customerId: string;
  version: string;
  reason: RotationFailureReason;
}

export interface RotationCounts {
  /** Re-wrapped under the current version by this run. */
  rewrapped: number;
  /** Changed by someone else between read and write (re-wrapped by another run, or the customer erased): left alone. */
  skipped: number;
  /** Could not be re-wrapped (see `failures`). */
  failed: number;
}

export interface RotationProgress extends RotationCounts {
  /** Batches done so far (1-based). */
  batch: number;
  /** Where the pass stands: the versions and their counts after this batch. */
  versions: KeyVersionSummary;
}

export interface RotationResult extends RotationCounts {
  batches: number;
  /** The first failures, at most MAX_REPORTED_FAILURES (`failed` counts them all). */
  failures: RotationFailure[];
  /** Whether the pass read every key to re-wrap; when false, `after` resumes it. */
  isComplete: boolean;
  /** The last customer id the pass read: give it as `after` to go on (null once complete). */
  after: string | null;
  versions: KeyVersionSummary;
}

export interface RotationOptions {
  /** Customer keys read, re-wrapped and committed per transaction (1 to MAX_BATCH_SIZE). */
  batchSize: number;
  /** Stop after this many batches (a bounded pass, for a GraphQL request); unbounded when absent. */
  maxBatches?: number;
  /** Resume a pass after this customer id (a previous result's `after`). */
  after?: string | null;
  /** Called after each committed batch. */
  onBatch?: (progress: RotationProgress) => void;
}

export const MAX_BATCH_SIZE = 1000;
export const MAX_REPORTED_FAILURES = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Where a run is recorded: the audit trail's writer (AuditService.record), named here by the one
 * member used, since the audit feature itself depends on keys/ (it seals payloads).
 */
export interface RotationAuditWriter {
  record(record: { customerId: null; action: string; target: { type: string; id: string }; details: Record<string, unknown> }): Promise<void>;
}

export interface KeyRotationDeps {
  db: Database;
  /** The global EntityManager: resolves to the transaction of the current unit of work. */
  em: EntityManager;
  provider: KeyProvider;
  audit: RotationAuditWriter;
  log: Logger;
}

/**
 * Re-wraps customer keys under the newest KEK (issue 17, item 5). Only the wrapping changes: a
 * customer's data key stays the same, so nothing sealed under it or under its people's keys is
 * touched, and readers keep working throughout (every configured version still unwraps, and a key
 * is either wholly old or wholly new). Each batch is a transaction of its own on the platform path;
 * each key is replaced by compare-and-set, so two runs at once, or a customer erased meanwhile, are
 * harmless. A run is resumable by nature: keys already on the current version are never picked again.
 */
export class KeyRotationService {
  constructor(private readonly deps: KeyRotationDeps) {}

  /** The versions and how many customer keys each wraps, in the current (platform) unit of work. */
  async versions(): Promise<KeyVersionSummary> {
    const { provider } = this.deps;
    return summarizeVersions(provider.currentVersion, provider.versions, await selectKeyVersionCounts(this.deps.em));
  }

  /**
   * Runs one pass: batches of keys not on the current version, in customer id order, each
   * re-wrapped and committed in its own platform transaction, until none is left (or `maxBatches`).
   * Records one platform audit event with the counts. Opens its own units of work: call it outside
   * one, or inside one whose writes it need not see (a GraphQL operation's).
   * Throws ValidationError for a bad batch size, batch limit or cursor.
   */
  async rotate(options: RotationOptions): Promise<RotationResult> {
    const { batchSize, maxBatches, onBatch } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) throw new ValidationError('batchSize', `batchSize must be an integer from 1 to ${MAX_BATCH_SIZE}`);
    if (maxBatches !== undefined && (!Number.isInteger(maxBatches) || maxBatches < 1)) throw new ValidationError('maxBatches', 'maxBatches must be a positive integer');
    if (options.after != null && !UUID.test(options.after)) throw new ValidationError('after', 'after must be a customer id from a previous run');
    const current = this.deps.provider.currentVersion;
    const counts: RotationCounts = { rewrapped: 0, skipped: 0, failed: 0 };
    const failures: RotationFailure[] = [];
    let after = options.after ?? null;
    let batches = 0;
    let isComplete = false;
    try {
      while (maxBatches === undefined || batches < maxBatches) {
        const batch = await this.deps.db.run(platformScope(`rotate data keys to ${current}`), async () => {
          const keys = await selectKeysToRewrap(this.deps.em, current, after, batchSize);
          const done = await this.rewrapAll(keys);
          return { read: keys.length, last: keys.at(-1)?.customerId ?? null, versions: onBatch && keys.length > 0 ? await this.versions() : null, done };
        });
        if (batch.read === 0) {
          isComplete = true;
          break;
        }
        // Counted once committed: a batch that failed was rolled back whole.
        batches++;
        after = batch.last;
        counts.rewrapped += batch.done.rewrapped;
        counts.skipped += batch.done.skipped;
        counts.failed += batch.done.failures.length;
        failures.push(...batch.done.failures.slice(0, MAX_REPORTED_FAILURES - failures.length));
        this.deps.log.info({ batch: batches, rewrapped: batch.done.rewrapped, skipped: batch.done.skipped, failed: batch.done.failures.length, current }, 'rotated a batch of customer keys');
        if (batch.versions) onBatch?.({ batch: batches, ...counts, versions: batch.versions });
        if (batch.read < batchSize) {
          isComplete = true;
          break;
        }
      }
    } catch (err) {
      // Batches committed before the error stay re-wrapped: say so in the trail, then fail.
      await this.record(counts, batches, false, current, err).catch((auditErr: unknown) => this.deps.log.error({ err: auditErr }, 'could not audit a failed key rotation'));
      throw err;
    }
    const versions = await this.record(counts, batches, isComplete, current, null);
    return { ...counts, batches, failures, isComplete, after: isComplete ? null : after, versions };
  }

  /** Re-wraps one batch in the current transaction. */
  private async rewrapAll(keys: readonly KeyToRewrap[]): Promise<{ rewrapped: number; skipped: number; failures: RotationFailure[] }> {
    const { provider, em } = this.deps;
    const batch = { rewrapped: 0, skipped: 0, failures: [] as RotationFailure[] };
    for (const key of keys) {
      const context = customerContext(key.customerId);
      let dataKey: Buffer;
      try {
        dataKey = await provider.unwrap({ version: key.version, ciphertext: key.wrapped }, context);
      } catch (err) {
        const reason = err instanceof UnknownKeyVersionError ? RotationFailureReason.VERSION_NOT_CONFIGURED : RotationFailureReason.UNWRAP_FAILED;
        batch.failures.push({ customerId: key.customerId, version: key.version, reason });
        this.deps.log.warn({ customerId: key.customerId, version: key.version, reason }, 'could not re-wrap a customer key');
        continue;
      }
      // A wrap that fails (the current KEK, or the KMS holding it, unreachable) would fail every key: it ends the run.
      const next = await provider.wrap(dataKey, context);
      const replaced = await rewrapCustomerKey(em, key.customerId, key, { version: next.version, wrapped: next.ciphertext });
      if (replaced) batch.rewrapped++;
      else batch.skipped++;
    }
    return batch;
  }

  /** One platform audit event per run, with its counts and where the versions stand; answers the versions. */
  private async record(counts: RotationCounts, batches: number, isComplete: boolean, current: string, error: unknown): Promise<KeyVersionSummary> {
    return this.deps.db.run(platformScope('record a data key rotation'), async () => {
      const versions = await this.versions();
      await this.deps.audit.record({
        customerId: null,
        action: 'data_keys.rotated',
        target: { type: 'key_encryption_key', id: current },
        details: {
          ...counts,
          batches,
          isComplete,
          ...(error ? { aborted: true } : {}),
          customerKeysByVersion: Object.fromEntries(versions.versions.map((v) => [v.version, v.customerKeys])),
        },
      });
      return versions;
    });
  }
}
