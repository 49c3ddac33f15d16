import { randomUUID } from 'node:crypto';
import type { RegionName } from '../config';
import { SqlPool } from '../db/sql-pool';
import { Clock } from '../shared/clock';
import { DomainError, NotFoundError, ValidationError } from '../shared/errors';
import { isUuid } from '../shared/ids';
import { Logger } from '../shared/logger';
import { copyCustomerData, customerDataDigest, eraseCustomerData } from './customer-data.repository';
import { entryById, setMoving, switchRegion } from './directory.repository';
import { advanceMove, insertMove, listMoves, MoveState, MoveTable, moveById, openMoveOf, openMoves, RegionMove, withMoveLock } from './region-move.repository';
import { labelCustomer } from './regional.repository';

/** What a move needs of each region: its platform pool, its audit chain check, and a way to record a platform audit event there. */
export interface MoveRegion {
  region: RegionName;
  platformPool: SqlPool;
  verifyChain(customerId: string): Promise<{ ok: boolean; eventsChecked: number }>;
  recordPlatformEvent(action: string, customerId: string, details: Record<string, unknown>): Promise<void>;
}

export class RegionMoveError extends DomainError {
  constructor(code: string, message: string) {
    super(code, message, { field: 'region' });
  }
}

/** Copies made at most before a move gives up (each one after a late write to the source changed its digests). */
const MAX_COPIES = 3;

/**
 * Moves a customer's data from one region to another (issue 18), as a tracked, resumable run of
 * steps recorded in `region_move` beside the directory:
 *
 * 1. COPYING: the directory marks the customer MOVING (its requests are answered 503 until the
 *    switch), then every row and key of the customer is copied to the target in one transaction.
 * 2. VERIFYING: row counts and checksums of every table are compared between the two databases, and
 *    the customer's audit chain is verified in both; a difference (a write that was in flight when
 *    the copy ran) means copying again, at most MAX_COPIES times, else the move fails and the
 *    customer stays where it was.
 * 3. SWITCHING: the target's customer row says its new region and the directory points there.
 * 4. ERASING: every row and key of the customer is deleted from the source.
 *
 * Each step is recorded before the next starts; a run that stops (a crash, a restart) is resumed
 * from its recorded step by calling `moveCustomerRegion` again or when a deployment serving both
 * regions starts. Started and completed moves are audited on the target's platform chain.
 */
export class RegionMoveService {
  private readonly running = new Map<string, Promise<RegionMove>>();

  constructor(
    private readonly deps: { directory: SqlPool; regions: ReadonlyMap<RegionName, MoveRegion>; clock: Clock; log: Logger; onDirectoryChanged(): void },
  ) {}

  /** Starts moving `customerId` to `target` (or resumes its unfinished move); the steps run in the background. */
  async start(customerId: string, target: string, requestedBy: string): Promise<RegionMove> {
    if (!isUuid(customerId)) throw new NotFoundError('customer', customerId);
    const entry = await entryById(this.deps.directory, customerId.toLowerCase());
    if (!entry) throw new NotFoundError('customer', customerId);
    const open = await openMoveOf(this.deps.directory, entry.customerId);
    if (open) {
      if (open.targetRegion !== target) throw new RegionMoveError('REGION_MOVE_IN_PROGRESS', `this customer is already being moved to ${open.targetRegion} (move ${open.id}); it resumes when asked again with that region`);
      this.runInBackground(open);
      return open;
    }
    if (entry.region === target) throw new ValidationError('region', `this customer's data is already stored in ${target}`);
    for (const region of [entry.region, target]) {
      if (!this.deps.regions.has(region as RegionName)) throw new RegionMoveError('REGION_NOT_SERVED', `region ${region} is not served by this deployment; a move runs where both regions' databases are reachable`);
    }
    const move = await insertMove(this.deps.directory, { id: randomUUID(), customerId: entry.customerId, sourceRegion: entry.region, targetRegion: target as RegionName, requestedBy }, this.deps.clock.now());
    if (!move) return this.start(customerId, target, requestedBy);
    await this.region(target).recordPlatformEvent('customer.region_move_started', entry.customerId, { moveId: move.id, from: move.sourceRegion, to: move.targetRegion });
    this.runInBackground(move);
    return move;
  }

  async get(id: string): Promise<RegionMove | null> {
    return isUuid(id) ? moveById(this.deps.directory, id) : null;
  }

  list(customerId: string | null, limit: number): Promise<RegionMove[]> {
    if (customerId !== null && !isUuid(customerId)) return Promise.resolve([]);
    return listMoves(this.deps.directory, customerId, limit);
  }

  /** Resumes every unfinished move whose two regions this deployment serves. */
  async resumeAll(): Promise<void> {
    for (const move of await openMoves(this.deps.directory)) {
      if (this.deps.regions.has(move.sourceRegion) && this.deps.regions.has(move.targetRegion)) this.runInBackground(move);
    }
  }

  /** Runs a move to its end (or its failure) and answers its record; another runner's move (it holds the lock) is left to it. */
  async run(move: RegionMove): Promise<RegionMove> {
    const ran = await withMoveLock(this.deps.directory, move.id, () => this.runLocked(move));
    return ran ?? (await moveById(this.deps.directory, move.id))!;
  }

  private async runLocked(move: RegionMove): Promise<RegionMove> {
    // The record as it is now: a runner that held the lock before may have advanced it.
    let current: RegionMove | null = await moveById(this.deps.directory, move.id);
    while (current && current.state !== 'DONE' && current.state !== 'FAILED') {
      try {
        await this.step(current);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.deps.log.error({ err, moveId: current.id, state: current.state }, 'region move step failed');
        // Before the switch the customer goes back to its source, whole; after it, erasing is retried on resume.
        if (current.state === 'COPYING' || current.state === 'VERIFYING') {
          await advanceMove(this.deps.directory, current.id, current.state, { state: 'FAILED', error: message }, this.deps.clock.now());
          await setMoving(this.deps.directory, current.customerId, current.sourceRegion, false);
          this.deps.onDirectoryChanged();
        } else {
          await this.advance(current, current.state, { error: message });
          return (await moveById(this.deps.directory, current.id))!;
        }
      }
      current = await moveById(this.deps.directory, current.id);
    }
    return current!;
  }

  /** The move's run in this process, if one is going (tests and shutdown wait on it). */
  settled(id: string): Promise<RegionMove> | undefined {
    return this.running.get(id);
  }

  /** Waits for every run of this process to end (on stop). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  private runInBackground(move: RegionMove): void {
    if (this.running.has(move.id)) return;
    const run = this.run(move).finally(() => this.running.delete(move.id));
    this.running.set(move.id, run);
    run.catch((err: unknown) => this.deps.log.error({ err, moveId: move.id }, 'region move stopped'));
  }

  private async step(move: RegionMove): Promise<void> {
    const source = this.region(move.sourceRegion);
    const target = this.region(move.targetRegion);
    switch (move.state) {
      case 'COPYING': {
        await setMoving(this.deps.directory, move.customerId, move.sourceRegion, true);
        this.deps.onDirectoryChanged();
        const counts = await copyCustomerData(source.platformPool, target.platformPool, move.customerId);
        const tables: MoveTable[] = counts.map((c) => ({ table: c.table, rows: c.rows, sourceChecksum: null, targetChecksum: null }));
        await this.advance(move, 'VERIFYING', { attempts: move.attempts + 1, tables });
        return;
      }
      case 'VERIFYING': {
        const [from, to] = await Promise.all([customerDataDigest(source.platformPool, move.customerId), customerDataDigest(target.platformPool, move.customerId)]);
        const tables: MoveTable[] = from.map((d) => {
          const other = to.find((t) => t.table === d.table);
          return { table: d.table, rows: d.rows, sourceChecksum: d.checksum, targetChecksum: other?.checksum ?? null };
        });
        const differ = tables.filter((t) => t.sourceChecksum !== t.targetChecksum || to.find((x) => x.table === t.table)?.rows !== t.rows);
        const sourceChain = await source.verifyChain(move.customerId);
        const targetChain = await target.verifyChain(move.customerId);
        const chainsAgree = targetChain.ok && sourceChain.ok === targetChain.ok && sourceChain.eventsChecked === targetChain.eventsChecked;
        if (differ.length === 0 && chainsAgree) return this.advance(move, 'SWITCHING', { tables });
        if (move.attempts >= MAX_COPIES) {
          const why = differ.length > 0 ? `tables differ after ${move.attempts} copies: ${differ.map((t) => t.table).join(', ')}` : 'the audit chain does not verify in the target';
          throw new RegionMoveError('REGION_MOVE_UNVERIFIED', why);
        }
        return this.advance(move, 'COPYING', { tables });
      }
      case 'SWITCHING': {
        await labelCustomer(target.platformPool, move.customerId, move.targetRegion);
        if (!(await switchRegion(this.deps.directory, move.customerId, move.sourceRegion, move.targetRegion))) throw new Error('the directory has no entry for this customer');
        this.deps.onDirectoryChanged();
        return this.advance(move, 'ERASING', {});
      }
      case 'ERASING': {
        const erased = await eraseCustomerData(source.platformPool, move.customerId);
        await target.recordPlatformEvent('customer.region_move_completed', move.customerId, { moveId: move.id, from: move.sourceRegion, to: move.targetRegion, rowsErased: erased });
        return this.advance(move, 'DONE', {});
      }
      default:
        return;
    }
  }

  private async advance(move: RegionMove, state: MoveState, change: { attempts?: number; tables?: MoveTable[]; error?: string | null }): Promise<void> {
    const moved = await advanceMove(this.deps.directory, move.id, move.state, { state, error: null, ...change }, this.deps.clock.now());
    if (!moved) throw new Error(`move ${move.id} left ${move.state} elsewhere`);
  }

  private region(name: string): MoveRegion {
    const region = this.deps.regions.get(name as RegionName);
    if (!region) throw new RegionMoveError('REGION_NOT_SERVED', `region ${name} is not served by this deployment`);
    return region;
  }
}
