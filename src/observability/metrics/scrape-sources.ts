/**
 * What a region offers to be read on scrape: its queues' job counts, its audit outbox backlog and its
 * connection pools' usage. The composition root builds these from the region's Redis, database and
 * pools (composition/metrics-sources.ts); this feature only reads them, through a short cache.
 */
export interface RegionScrapeSources {
  region: string;
  /** Job counts per queue and state (BullMQ getJobCounts). */
  queueCounts(): Promise<Array<{ queue: string; counts: Record<string, number> }>>;
  /** Undrained audit outbox rows and the age in seconds of the oldest (null when there is none). */
  outboxBacklog(): Promise<{ undrained: number; oldestSeconds: number | null }>;
  /** Data subjects' requests still owed an answer and past their due date (issue 22). */
  overduePrivacyRequests(): Promise<number>;
  /** Each connection pool by name: connections open, idle, and callers waiting for one. */
  pools: ReadonlyArray<{ name: string; usage(): PoolUsage }>;
  /** Releases what reading needs (the queues' handles). */
  close(): Promise<void>;
}

export interface PoolUsage {
  total: number;
  idle: number;
  waiting: number;
}

/** Queue states reported, in BullMQ's words. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/**
 * `read` answered from memory for `ttlMs` after each call, and one call in flight at a time: however
 * often and however many scrapers ask, Redis and PostgreSQL see at most one read per period.
 */
export function cachedRead<T>(read: () => Promise<T>, ttlMs: number, now: () => number = () => performance.now()): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | null = null;
  return () => {
    const at = now();
    if (last && at - last.at < ttlMs) return last.value;
    const value = read();
    last = { at, value };
    // A failed read is not kept: the next scrape tries again.
    value.catch(() => {
      if (last?.value === value) last = null;
    });
    return value;
  };
}
