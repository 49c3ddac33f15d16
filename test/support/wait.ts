export interface WaitOptions {
  /** How long to keep checking before failing (default 10 s). */
  timeoutMs?: number;
  /** Pause between checks (default 25 ms): short, since most conditions are one cheap query. */
  intervalMs?: number;
  /** When the wait is counted from (default: the call), for a condition that must hold within a time of an earlier event. */
  since?: number;
}

/**
 * Checks `condition` until it holds, for work that finishes in the background (a worker, a drain, a
 * restart). The one polling helper of the tests: it fails naming `what` was awaited, how long it
 * waited, and the last error the condition threw (a check may throw while a dependency is down;
 * that counts as "not yet").
 */
export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, { timeoutMs = 10_000, intervalMs = 25, since }: WaitOptions = {}): Promise<void> {
  const started = since ?? Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() - started >= timeoutMs) {
      const cause = lastError === undefined ? '' : `; the last check threw: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
