import { useEffect } from 'react';

/**
 * Asks again every `ms` while `active` (a job the worker is still on): an export being built, an
 * erasure running. Stops by itself once the answer is final or the page is left.
 */
export function usePoll(active: boolean, refresh: () => void, ms = 1000): void {
  useEffect(() => {
    if (!active) return undefined;
    const timer = window.setInterval(refresh, ms);
    return () => window.clearInterval(timer);
  }, [active, refresh, ms]);
}
