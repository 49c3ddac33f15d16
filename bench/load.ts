import { performance } from 'node:perf_hooks';
import type { HttpClient } from './http-client';

/**
 * Load shapes. Closed loop: `concurrency` flows run back to back, each starting when the last one
 * ended (login flows). Open loop: operations start on a fixed schedule whatever the answers do,
 * and latency counts from the scheduled start, so a slow server cannot hide queueing (GraphQL).
 * Both discard a warm-up, then call `hooks.begin()`, measure for `windowMs`, and call `hooks.end()`
 * (where the caller reads server CPU and SQL counters).
 */

export interface WindowHooks {
  begin(): Promise<void>;
  end(): Promise<void>;
}

export interface LoadResult {
  /** Operations completed inside the measuring window. */
  completed: number;
  errors: number;
  firstError?: string;
  windowMs: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** HTTP requests sent during the window per completed operation. */
  requestsPerOp: number;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function summarise(latencies: number[], errors: number, firstError: string | undefined, windowMs: number, requests: number): LoadResult {
  latencies.sort((a, b) => a - b);
  return {
    completed: latencies.length,
    errors,
    firstError,
    windowMs: Math.round(windowMs),
    perSecond: (latencies.length * 1000) / windowMs,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requestsPerOp: latencies.length > 0 ? requests / latencies.length : NaN,
  };
}

export interface ClosedLoopOptions {
  concurrency: number;
  warmupMs: number;
  windowMs: number;
  client: HttpClient;
  hooks: WindowHooks;
  /** One whole flow; throws when anything in it is not as expected. */
  flow: () => Promise<void>;
}

export async function closedLoop(options: ClosedLoopOptions): Promise<LoadResult> {
  let measuring = false;
  let done = false;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (!done) {
      const started = performance.now();
      try {
        await options.flow();
        if (measuring) latencies.push(performance.now() - started);
      } catch (err) {
        errors += 1;
        firstError ??= err instanceof Error ? err.message : String(err);
        // A flow that fails at once would otherwise spin; fail visibly instead.
        if (errors > 50 && errors > latencies.length) done = true;
      }
    }
  };
  const workers = Array.from({ length: options.concurrency }, worker);
  await sleep(options.warmupMs);
  await options.hooks.begin();
  const requestsBefore = options.client.requests;
  const windowStart = performance.now();
  measuring = true;
  await sleep(options.windowMs);
  measuring = false;
  const windowMs = performance.now() - windowStart;
  const requests = options.client.requests - requestsBefore;
  await options.hooks.end();
  done = true;
  await Promise.all(workers);
  return summarise(latencies, errors, firstError, windowMs, requests);
}

export interface OpenLoopOptions {
  ratePerSecond: number;
  warmupMs: number;
  windowMs: number;
  client: HttpClient;
  hooks: WindowHooks;
  operation: () => Promise<void>;
}

/** How long an open loop waits, after its window, for the operations it started in it. */
const OPEN_LOOP_GRACE_MS = 10000;

export async function openLoop(options: OpenLoopOptions): Promise<LoadResult> {
  const intervalMs = 1000 / options.ratePerSecond;
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let errors = 0;
  let firstError: string | undefined;
  let measuring = false;
  let next = performance.now();
  const fire = (due: number) => {
    const counted = measuring;
    const run = options.operation().then(
      () => {
        if (counted) latencies.push(performance.now() - due);
      },
      (err: unknown) => {
        errors += 1;
        firstError ??= err instanceof Error ? err.message : String(err);
      },
    );
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  };
  // Timers fire late and in bursts; catch up on every due start so the schedule holds on average.
  const timer = setInterval(() => {
    const now = performance.now();
    while (next <= now) {
      fire(next);
      next += intervalMs;
    }
  }, 1);
  await sleep(options.warmupMs);
  await options.hooks.begin();
  const requestsBefore = options.client.requests;
  const windowStart = performance.now();
  measuring = true;
  await sleep(options.windowMs);
  clearInterval(timer);
  const windowMs = performance.now() - windowStart;
  // Operations scheduled inside the window still count: wait for them before the closing readings.
  // Those still unanswered after the grace period (an overloaded server) are reported as errors,
  // so a percentile never looks better for leaving out the slowest answers.
  await Promise.race([Promise.all(inFlight), sleep(OPEN_LOOP_GRACE_MS)]);
  const unanswered = inFlight.size;
  const requests = options.client.requests - requestsBefore;
  await options.hooks.end();
  if (unanswered > 0) {
    errors += unanswered;
    firstError ??= `${unanswered} still unanswered ${OPEN_LOOP_GRACE_MS / 1000} s after the window`;
  }
  return summarise(latencies, errors, firstError, windowMs, requests);
}
