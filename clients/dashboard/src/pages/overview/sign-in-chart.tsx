import { useId } from 'react';
import type { StatsRange } from '../../generated/graphql';
import { axisStep, dayLabel, hourAndDayLabel, hourLabel, OUTCOMES, type SignInHour } from './series';

const WIDTH = 720;
const HEIGHT = 240;
const LEFT = 40;
const RIGHT = 8;
const TOP = 10;
const BOTTOM = 34;
const PLOT_W = WIDTH - LEFT - RIGHT;
const PLOT_H = HEIGHT - TOP - BOTTOM;

/**
 * Which hours get an x-axis label: every third hour over a day, each local midnight over a week.
 * Every other one is `minor`, left out on a narrow screen (styles.css) where they would overlap.
 */
function labelOf(bucket: SignInHour, index: number, range: StatsRange): { text: string; isMinor: boolean } | null {
  if (range === 'LAST_24_HOURS') return index % 3 === 0 ? { text: hourLabel(bucket.hourStart), isMinor: (index / 3) % 2 === 1 } : null;
  const start = new Date(bucket.hourStart);
  return start.getHours() === 0 ? { text: dayLabel(bucket.hourStart), isMinor: start.getDate() % 2 === 1 } : null;
}

/**
 * Sign-ins per hour stacked by outcome, drawn as plain SVG (no chart library, nothing inline the
 * CSP would refuse): colours come from classes in styles.css, axis labels are in the viewer's time
 * zone, and the same numbers are in a table for screen readers and for copying.
 */
export function SignInChart({ buckets, range }: { buckets: SignInHour[]; range: StatsRange }) {
  const titleId = useId();
  const descId = useId();
  const step = axisStep(Math.max(0, ...buckets.map((b) => b.total)));
  const max = step * 4;
  const band = PLOT_W / Math.max(1, buckets.length);
  const barWidth = Math.max(1, band * 0.8);
  const y = (value: number) => TOP + PLOT_H - (value / max) * PLOT_H;
  const total = buckets.reduce((sum, b) => sum + b.total, 0);
  const period = range === 'LAST_24_HOURS' ? 'the last 24 hours' : 'the last 7 days';

  return (
    <div className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${titleId} ${descId}`} data-testid="sign-in-chart">
        <title id={titleId}>Sign-ins per hour by outcome, {period}</title>
        <desc id={descId}>
          {total} sign-ins in {buckets.length} hourly bars from {buckets[0] ? hourAndDayLabel(buckets[0].hourStart) : '—'}; each bar is stacked by outcome. The table below has the same numbers.
        </desc>
        {[0, 1, 2, 3, 4].map((n) => (
          <g key={n}>
            <line className="grid-line" x1={LEFT} x2={WIDTH - RIGHT} y1={y(step * n)} y2={y(step * n)} />
            <text className="axis-label" x={LEFT - 6} y={y(step * n) + 4} textAnchor="end">
              {step * n}
            </text>
          </g>
        ))}
        {buckets.map((bucket, i) => {
          const x = LEFT + i * band + (band - barWidth) / 2;
          let base = 0;
          const label = labelOf(bucket, i, range);
          return (
            <g key={bucket.hourStart}>
              <title>{`${hourAndDayLabel(bucket.hourStart)}: ${bucket.total} sign-ins`}</title>
              {OUTCOMES.map(({ key, className }) => {
                const value = bucket[key];
                if (value === 0) return null;
                const top = y(base + value);
                const height = y(base) - top;
                base += value;
                return <rect key={key} className={className} x={x} y={top} width={barWidth} height={height} />;
              })}
              {label && (
                <>
                  <line className="axis-line" x1={x + barWidth / 2} x2={x + barWidth / 2} y1={TOP + PLOT_H} y2={TOP + PLOT_H + 4} />
                  <text className={label.isMinor ? 'axis-label minor' : 'axis-label'} x={x + barWidth / 2} y={HEIGHT - BOTTOM + 18} textAnchor="middle">
                    {label.text}
                  </text>
                </>
              )}
            </g>
          );
        })}
        <line className="axis-line" x1={LEFT} x2={WIDTH - RIGHT} y1={TOP + PLOT_H} y2={TOP + PLOT_H} />
      </svg>
      <ul className="legend" aria-label="Outcomes">
        {OUTCOMES.map(({ key, label, className }) => (
          <li key={key}>
            <span className={`swatch ${className}`} aria-hidden="true" />
            {label}
          </li>
        ))}
      </ul>
      <details className="chart-table">
        <summary>Show sign-ins per hour as a table</summary>
        {/* Focusable: the table scrolls inside its box, and keyboard users must be able to scroll it. */}
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Sign-ins per hour, table">
          <table data-testid="sign-in-stats-table">
            <caption>Sign-ins per hour by outcome, {period} (hours in your time zone)</caption>
            <thead>
              <tr>
                <th scope="col">Hour starting</th>
                {OUTCOMES.map(({ key, label }) => (
                  <th scope="col" key={key}>
                    {label}
                  </th>
                ))}
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {buckets.map((bucket) => (
                <tr key={bucket.hourStart} data-hour={bucket.hourStart}>
                  <th scope="row">
                    <time dateTime={bucket.hourStart}>{hourAndDayLabel(bucket.hourStart)}</time>
                  </th>
                  {OUTCOMES.map(({ key }) => (
                    <td key={key}>{bucket[key]}</td>
                  ))}
                  <td>{bucket.total}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
