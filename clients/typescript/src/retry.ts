import { NetworkError } from './errors';

export interface RetryOptions {
  /** Tries in all, the first included (3 by default). */
  attempts: number;
  /** Delay before the first retry; it doubles each time (250 ms by default). */
  initialDelayMs: number;
  /** Upper bound of one delay (4 s by default). */
  maxDelayMs: number;
  /** How to wait; tests replace it. */
  sleep: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryOptions = {
  attempts: 3,
  initialDelayMs: 250,
  maxDelayMs: 4000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Statuses a proxy or load balancer answers while the service restarts: worth another try. */
const TRANSIENT_STATUSES = new Set([502, 503, 504]);

function isTransient(err: unknown): err is NetworkError {
  return err instanceof NetworkError && (err.status === null || TRANSIENT_STATUSES.has(err.status));
}

/**
 * Runs `fn` until it succeeds, retrying only network failures (never a GraphQL answer, which is
 * final) with exponential backoff and jitter (half to all of each delay), so many clients do not retry in step.
 */
export async function withRetry<T>(options: RetryOptions, fn: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isTransient(err) || attempt >= options.attempts) throw err;
      const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (attempt - 1));
      await options.sleep(Math.round(ceiling / 2 + (Math.random() * ceiling) / 2));
    }
  }
}
