import { useEffect, useState } from 'react';

/** How often the live list asks again while the tab is visible. */
export const REFRESH_MS = 10_000;

/**
 * Calls `refresh` every REFRESH_MS while the page is visible and not paused; a hidden tab asks
 * nothing, and coming back to it asks at once.
 */
export function useLiveRefresh(refresh: () => void, paused: boolean): void {
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  useEffect(() => {
    const onChange = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  useEffect(() => {
    if (paused || !visible) return undefined;
    const timer = window.setInterval(refresh, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [paused, visible, refresh]);
  useEffect(() => {
    if (visible && !paused) refresh();
    // Only on becoming visible again (or resumed), not on every new `refresh` (the interval covers those).
  }, [visible, paused]);
}
