import { LRUCache } from 'lru-cache';
import type { RegionName } from '../config';
import { ChangeFeed } from '../db/change-feed';
import { SqlPool } from '../db/sql-pool';
import { Clock } from '../shared/clock';
import { isUuid } from '../shared/ids';
import { claimEntry, DirectoryEntry, entryById, entryBySlug, releaseEntry } from './directory.repository';

export interface RegionDirectorySettings {
  /** An entry is read again after this long even when no change was notified. */
  maxAgeMs: number;
  maxEntries: number;
}

/** Slugs a customer could have (customers/customer.validation.ts); anything else is answered without a query. */
const SLUG_SHAPE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The customer directory as the router reads it (issue 18): customers by slug and by id, cached in
 * the process, since a customer's region changes only by a move. Every change to the directory table
 * notifies `ids_directory` (on whichever instance made it), which drops the whole cache; `maxAgeMs`
 * bounds what a lost notification could leave. Unknown slugs are cached too, so a flood of made-up
 * slugs costs one query per slug per max age.
 */
export class RegionDirectory {
  private readonly cache: LRUCache<string, { value: DirectoryEntry | null; loadedAt: number }>;
  private generation = 0;

  constructor(
    readonly pool: SqlPool,
    private readonly clock: Clock,
    private readonly settings: RegionDirectorySettings,
  ) {
    this.cache = new LRUCache({ max: settings.maxEntries });
  }

  private readonly listeners: Array<() => void> = [];

  /** Listens for directory changes on `feed` (a ChangeFeed on the directory's channel). */
  follow(feed: ChangeFeed): void {
    feed.subscribe(() => this.invalidateAll());
  }

  /** Calls `listener` whenever the directory may have changed (caches derived from it drop what they hold). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  bySlug(slug: string): Promise<DirectoryEntry | null> {
    if (!SLUG_SHAPE.test(slug)) return Promise.resolve(null);
    return this.cached(`slug:${slug}`, () => entryBySlug(this.pool, slug));
  }

  byId(customerId: string): Promise<DirectoryEntry | null> {
    if (!isUuid(customerId)) return Promise.resolve(null);
    return this.cached(`id:${customerId.toLowerCase()}`, () => entryById(this.pool, customerId.toLowerCase()));
  }

  /** Claims a slug for a new customer of `region` (false: another customer has it). */
  async claim(entry: { customerId: string; slug: string; region: RegionName }): Promise<boolean> {
    const claimed = await claimEntry(this.pool, entry);
    this.invalidateAll();
    return claimed;
  }

  async release(customerId: string, region: RegionName): Promise<void> {
    await releaseEntry(this.pool, customerId, region);
    this.invalidateAll();
  }

  invalidateAll(): void {
    this.generation += 1;
    this.cache.clear();
    for (const listener of this.listeners) listener();
  }

  private async cached(key: string, load: () => Promise<DirectoryEntry | null>): Promise<DirectoryEntry | null> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(key);
    if (hit && now - hit.loadedAt < this.settings.maxAgeMs) return hit.value;
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation) this.cache.set(key, { value, loadedAt: now });
    return value;
  }
}
