/**
 * A tiny per-operation DataLoader: `load` calls made while one level of a GraphQL response is
 * resolving are collected and answered by a single call of `batch`. It lives in the GraphQL
 * context, so nothing (neither keys nor results) is shared between requests or tenants.
 */
export class BatchLoader<K, V> {
  private pending = new Map<string, { key: K; waiters: Array<{ resolve: (value: V) => void; reject: (err: unknown) => void }> }>();
  private cache = new Map<string, Promise<V>>();
  /** Values a batch has answered, for `loadNow`. */
  private settled = new Map<string, V>();

  /**
   * @param batch answers every key at once, in the same order as `keys`.
   * @param keyOf a string identity for a key, so equal keys share one lookup.
   */
  constructor(
    private readonly batch: (keys: K[]) => Promise<V[]>,
    private readonly keyOf: (key: K) => string,
  ) {}

  /** The value for `key`, fetched together with every other key asked for in the same tick. */
  load(key: K): Promise<V> {
    const id = this.keyOf(key);
    const cached = this.cache.get(id);
    if (cached) return cached;
    const promise = new Promise<V>((resolve, reject) => {
      const entry = this.pending.get(id);
      if (entry) {
        entry.waiters.push({ resolve, reject });
        return;
      }
      if (this.pending.size === 0) {
        // Wait until graphql-js has started every sibling resolver (they run in the same pass of
        // the microtask queue, behind type-graphql's async auth middleware), then flush once.
        void Promise.resolve().then(() => process.nextTick(() => void this.flush()));
      }
      this.pending.set(id, { key, waiters: [{ resolve, reject }] });
    });
    this.cache.set(id, promise);
    return promise;
  }

  /** The values for `keys`, in their order, all fetched in one batch (with any other key asked for in the same tick). */
  loadMany(keys: readonly K[]): Promise<V[]> {
    return Promise.all(keys.map((key) => this.load(key)));
  }

  /**
   * The value for `key` itself when a batch has already answered it, else as `load`. A list's
   * resolver that loaded every row's key up front (`loadMany`) lets each row's field resolve at once:
   * graphql-js then completes the rows without a promise per row.
   */
  loadNow(key: K): V | Promise<V> {
    const id = this.keyOf(key);
    return this.settled.has(id) ? this.settled.get(id)! : this.load(key);
  }

  private async flush(): Promise<void> {
    const entries = [...this.pending];
    this.pending = new Map();
    try {
      const values = await this.batch(entries.map(([, entry]) => entry.key));
      entries.forEach(([id, entry], i) => {
        this.settled.set(id, values[i]!);
        entry.waiters.forEach((w) => w.resolve(values[i]!));
      });
    } catch (err) {
      entries.forEach(([, entry]) => entry.waiters.forEach((w) => w.reject(err)));
    }
  }
}

/** The loaders of one GraphQL operation, created on first use by name. */
export class Loaders {
  private readonly byName = new Map<string, BatchLoader<unknown, unknown>>();

  get<K, V>(name: string, create: () => BatchLoader<K, V>): BatchLoader<K, V> {
    let loader = this.byName.get(name);
    if (!loader) {
      loader = create() as BatchLoader<unknown, unknown>;
      this.byName.set(name, loader);
    }
    return loader as BatchLoader<K, V>;
  }
}
