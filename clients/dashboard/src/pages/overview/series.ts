import type { DashboardSignInStatsQuery } from '../../generated/graphql';

export type SignInHour = DashboardSignInStatsQuery['signInStats']['buckets'][number];
export type OutcomeKey = 'succeeded' | 'declined' | 'cancelled' | 'failed' | 'expired' | 'inProgress';

/** The six disjoint outcomes of signInStats, bottom of the stack first; `className` colours bar and swatch alike. */
export const OUTCOMES: ReadonlyArray<{ key: OutcomeKey; label: string; className: string }> = [
  { key: 'succeeded', label: 'Succeeded', className: 'series-succeeded' },
  { key: 'declined', label: 'Declined on consent', className: 'series-declined' },
  { key: 'cancelled', label: 'Cancelled by the user', className: 'series-cancelled' },
  { key: 'failed', label: 'Failed', className: 'series-failed' },
  { key: 'expired', label: 'Expired', className: 'series-expired' },
  { key: 'inProgress', label: 'In progress', className: 'series-in-progress' },
];

/** Hour labels in the viewer's own time zone (the buckets are whole UTC hours). */
const HOUR = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const DAY = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
const HOUR_AND_DAY = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

export const hourLabel = (iso: string) => HOUR.format(new Date(iso));
export const dayLabel = (iso: string) => DAY.format(new Date(iso));
export const hourAndDayLabel = (iso: string) => HOUR_AND_DAY.format(new Date(iso));

/** Four whole-number grid steps of a round size (1, 2, 5 × 10^n) reaching at least `max`: the axis maximum is four steps. */
export function axisStep(max: number): number {
  const rough = Math.max(1, max / 4);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= rough) return step * magnitude;
  return 10 * magnitude;
}

/** Whole percent, or a dash when there is nothing to divide by. */
export function percent(part: number, whole: number): string {
  return whole === 0 ? '—' : `${Math.round((part / whole) * 100)} %`;
}
