import { LRUCache } from 'lru-cache';
import { Clock } from '../shared/clock';
import { CustomerConfig } from './customer-config';
import { SLUG_PATTERN } from './customer.validation';

export interface CustomerDirectorySettings {
  /** The safety net: an entry is read again after this long even when no change was notified. */
  maxAgeMs: number;
  /** Slugs held (known and unknown ones alike), least recently used dropped first. */
  maxEntries: number;
}

/**
 * Customers by slug for the login path, cached in the process (issue 15): the configuration does
 * not change per request, so it is not read per request. Every change to a customer row notifies
 * every instance (db/change-feed.ts), which drops the whole cache at once (customer changes are
 * rare); `maxAgeMs` bounds what a lost notification could leave behind. Unknown slugs are cached
 * too (as null), so a flood of made-up slugs costs one query per slug per max age, within
 * `maxEntries`. Concurrent misses for one slug share one query.
 */
export class CustomerDirectory {
  private readonly cache: LRUCache<string, { value: CustomerConfig | null; loadedAt: number }>;
  private readonly loading = new Map<string, Promise<CustomerConfig | null>>();
  /** Bumped by each invalidation: a load that started before it is answered but not kept. */
  private generation = 0;

  constructor(
    private readonly load: (slug: string) => Promise<CustomerConfig | null>,
    private readonly clock: Clock,
    private readonly settings: CustomerDirectorySettings,
  ) {
    this.cache = new LRUCache({ max: settings.maxEntries });
  }

  async bySlug(slug: string): Promise<CustomerConfig | null> {
    // Not a slug a customer could have: no customer, and no query.
    if (!SLUG_PATTERN.test(slug)) return null;
    const cached = this.cache.get(slug);
    if (cached && this.clock.now().getTime() - cached.loadedAt < this.settings.maxAgeMs) return cached.value;
    const pending = this.loading.get(slug);
    if (pending) return pending;
    const generation = this.generation;
    const loadedAt = this.clock.now().getTime();
    const loading = this.load(slug).then(
      (value) => {
        if (this.loading.get(slug) === loading) this.loading.delete(slug);
        if (generation === this.generation) this.cache.set(slug, { value, loadedAt });
        return value;
      },
      (err: unknown) => {
        if (this.loading.get(slug) === loading) this.loading.delete(slug);
        throw err;
      },
    );
    this.loading.set(slug, loading);
    return loading;
  }

  /** Drops one slug's entry (a step found its customer gone before the notification came). */
  invalidate(slug: string): void {
    this.generation += 1;
    this.cache.delete(slug);
    this.loading.delete(slug);
  }

  /** Drops every entry (a customer changed somewhere, or the change feed reconnected). */
  invalidateAll(): void {
    this.generation += 1;
    this.cache.clear();
    this.loading.clear();
  }
}
