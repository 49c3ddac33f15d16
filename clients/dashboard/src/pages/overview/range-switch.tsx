import type { StatsRange } from '../../generated/graphql';

export const RANGES: ReadonlyArray<{ value: StatsRange; label: string; period: string }> = [
  { value: 'LAST_24_HOURS', label: 'Last 24 hours', period: 'the last 24 hours' },
  { value: 'LAST_7_DAYS', label: 'Last 7 days', period: 'the last 7 days' },
];

/** The charts' period as a radio group: Tab reaches it, the arrow keys switch, as native radios do. */
export function RangeSwitch({ value, onChange }: { value: StatsRange; onChange: (range: StatsRange) => void }) {
  return (
    <fieldset className="range-switch">
      <legend>Period</legend>
      {RANGES.map((range) => (
        <label key={range.value}>
          <input type="radio" name="stats-range" value={range.value} checked={value === range.value} onChange={() => onChange(range.value)} />
          {range.label}
        </label>
      ))}
    </fieldset>
  );
}
