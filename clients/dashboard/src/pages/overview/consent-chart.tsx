import { useId } from 'react';
import type { DashboardConsentStatsQuery } from '../../generated/graphql';
import { percent } from './series';

type ConsentStats = DashboardConsentStatsQuery['consentStats'];

const WIDTH = 960;
const HEIGHT = 44;

/**
 * The consent page's approve/deny ratio as one bar split in two, plain SVG like the sign-in chart,
 * with the numbers beside it and in a table.
 */
export function ConsentChart({ stats, period }: { stats: ConsentStats; period: string }) {
  const titleId = useId();
  const descId = useId();
  const answered = stats.approved + stats.denied;
  const approvedWidth = answered === 0 ? 0 : (stats.approved / answered) * WIDTH;
  return (
    <div className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${titleId} ${descId}`} data-testid="consent-chart">
        <title id={titleId}>Consent decisions, {period}: approved against denied</title>
        <desc id={descId}>
          {answered === 0
            ? 'No consent page was answered in this period.'
            : `${stats.approved} approved (${percent(stats.approved, answered)}) and ${stats.denied} denied (${percent(stats.denied, answered)}).`}
        </desc>
        {answered === 0 ? (
          <rect className="series-empty" x={0} y={4} width={WIDTH} height={HEIGHT - 8} />
        ) : (
          <>
            <rect className="series-succeeded" x={0} y={4} width={approvedWidth} height={HEIGHT - 8} />
            <rect className="series-declined" x={approvedWidth} y={4} width={WIDTH - approvedWidth} height={HEIGHT - 8} />
          </>
        )}
      </svg>
      {answered === 0 && <p className="state state-empty">No consent page was answered in {period}.</p>}
      <ul className="legend" aria-label="Decisions">
        <li>
          <span className="swatch series-succeeded" aria-hidden="true" />
          Approved
        </li>
        <li>
          <span className="swatch series-declined" aria-hidden="true" />
          Denied
        </li>
      </ul>
      <details className="chart-table">
        <summary>Show consent decisions as a table</summary>
        {/* Focusable: the table scrolls inside its box, and keyboard users must be able to scroll it. */}
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Consent decisions, table">
          <table data-testid="consent-stats-table">
            <caption>Consent decisions, {period}</caption>
            <thead>
              <tr>
                <th scope="col">Decision</th>
                <th scope="col">Count</th>
                <th scope="col">Share</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">Approved</th>
                <td>{stats.approved}</td>
                <td>{percent(stats.approved, answered)}</td>
              </tr>
              <tr>
                <th scope="row">Denied</th>
                <td>{stats.denied}</td>
                <td>{percent(stats.denied, answered)}</td>
              </tr>
              <tr>
                <th scope="row">Approved and remembered</th>
                <td>{stats.rememberedDecisions}</td>
                <td>{percent(stats.rememberedDecisions, answered)}</td>
              </tr>
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
