import type { ScenarioResult } from './report';
import type { Scenario } from './scenarios';

/**
 * The numbers a row is judged against: issue #15's targets, and those of earlier issues for the
 * rows they set (#9's worker rows, #14's associate). The table's target text is written from the
 * same numbers (`describeGoals`), so text and verdict cannot disagree. Every goal is judged on
 * figures of the same run; a goal whose figure this run did not measure (oidc-provider left out by
 * `--only`, no SQL counter) is reported as not judged, never as met.
 */
export interface Goals {
  /** Our flows/s over oidc-provider's at c64 in the same run (`oidc-provider-c64`). */
  ratioToOidcC64AtLeast?: number;
  /** SQL statements per operation, BEGIN and COMMIT included. */
  sqlPerOpAtMost?: number;
  /**
   * Statements independent of page size: SQL per operation at most one above that row's, when
   * both ran. The bench's per-page count is an upper bound (README, Performance), hence the +1.
   */
  sqlPerOpAsRow?: { id: string; title: string };
  cpuMsPerOpAtMost?: number;
  /** Where the CPU figure should end up; printed beside the limit, not judged. */
  cpuMsPerOpAim?: number;
  /** The service's peak RSS over the whole run (`RunFigures.servicePeakRssMb`), not this row's reading. */
  servicePeakRssMbBelow?: number;
  p50MsAtMost?: number;
  p99MsBelow?: number;
  /** The open-loop rate the latency goals are stated at; a row measured at another rate is not judged on latency. */
  latencyAtRatePerSecond?: number;
  /** Worker rows: operations per wall second. */
  perSecondAtLeast?: { value: number; unit: string };
  /** Worker rows: wall seconds of the whole operation. */
  secondsBelow?: number;
  /** What a `--quick` run does fewer of (worker rows); the verdict says so. */
  fewerWhenQuick?: string;
}

/** Figures of the whole run that a row's goals may need besides the row itself. */
export interface RunFigures {
  /** Every row of this run: oidc-provider's c64 row and the rows a goal compares with are found here. */
  rows: readonly ScenarioResult[];
  /** The service's peak RSS (VmHWM) read after its last scenario of this run. */
  servicePeakRssMb?: number;
  quick: boolean;
}

/** The row every ratio goal divides by. */
export const OIDC_BASELINE_ID = 'oidc-provider-c64';

const number = (value: number) => value.toLocaleString('en-US');
const measured = (value: number | undefined): value is number => value !== undefined && !Number.isNaN(value);

/** The target text of the table, from the goals in a fixed order. */
export function describeGoals(goals: Goals): string {
  const aim = goals.cpuMsPerOpAim === undefined ? '' : ` (aim ${number(goals.cpuMsPerOpAim)} ms)`;
  const rate = goals.latencyAtRatePerSecond === undefined ? '' : ` at ${number(goals.latencyAtRatePerSecond)}/s`;
  const parts = [
    goals.ratioToOidcC64AtLeast !== undefined && `≥${number(goals.ratioToOidcC64AtLeast)}× oidc-provider (c64) flows/s`,
    goals.sqlPerOpAtMost !== undefined && `≤${number(goals.sqlPerOpAtMost)} SQL`,
    goals.cpuMsPerOpAtMost !== undefined && `≤${number(goals.cpuMsPerOpAtMost)} ms CPU${aim}`,
    goals.servicePeakRssMbBelow !== undefined && `peak RSS <${number(goals.servicePeakRssMbBelow)} MB (whole run)`,
    goals.p50MsAtMost !== undefined && `p50 ≤${number(goals.p50MsAtMost)} ms`,
    goals.p99MsBelow !== undefined && `p99 <${number(goals.p99MsBelow)} ms${rate}`,
    goals.sqlPerOpAsRow !== undefined && `SQL ≤ ${goals.sqlPerOpAsRow.title}'s +1`,
    goals.perSecondAtLeast !== undefined && `≥${number(goals.perSecondAtLeast.value)} ${goals.perSecondAtLeast.unit}/s`,
    goals.secondsBelow !== undefined && `<${number(goals.secondsBelow)} s`,
  ];
  return parts.filter((part): part is string => typeof part === 'string').join(', ');
}

/** Our operations/s over oidc-provider's c64 flows/s of the same run; undefined when either completed none. */
export function ratioToOidcC64(row: ScenarioResult, rows: readonly ScenarioResult[]): number | undefined {
  const theirs = rows.find((r) => r.id === OIDC_BASELINE_ID)?.load_result;
  const ours = row.load_result;
  if (!theirs?.completed || !ours?.completed) return undefined;
  return ours.perSecond / theirs.perSecond;
}

/**
 * `met`, `missed: <which>` (with the figure that missed), or `not judged (<which>: …)` when a
 * figure is missing and nothing measured missed; both lists are printed when both apply. Rows
 * without goals, and rows that did not run, get none.
 */
export function verdict(scenario: Scenario, row: ScenarioResult, run: RunFigures): string | undefined {
  const goals = scenario.goals;
  if (!goals || row.pending) return undefined;
  const missed: string[] = [];
  const unjudged: string[] = [];
  /** Judges one figure: `passes` only sees measured values; a missing one is not judged. */
  const judge = (name: string, value: number | undefined, passes: (value: number) => boolean, shown: (value: number) => string) => {
    if (!measured(value)) unjudged.push(`${name}: not measured`);
    else if (!passes(value)) missed.push(shown(value));
  };

  if (row.worker) {
    const { operations, seconds } = row.worker;
    const perSecond = goals.perSecondAtLeast;
    if (perSecond) judge(perSecond.unit, operations / seconds, (v) => v >= perSecond.value, (v) => `${number(Math.round(v))} ${perSecond.unit}/s`);
    if (goals.secondsBelow !== undefined) judge('time', seconds, (v) => v < goals.secondsBelow!, (v) => `${v.toFixed(2)} s`);
  } else {
    const r = row.load_result;
    if (!r || r.completed === 0) return 'missed: no operation completed';
    if (goals.ratioToOidcC64AtLeast !== undefined) {
      judge('ratio', ratioToOidcC64(row, run.rows), (v) => v >= goals.ratioToOidcC64AtLeast!, (v) => `ratio ${v.toFixed(2)}×`);
    }
    if (goals.sqlPerOpAtMost !== undefined) judge('SQL', row.sqlPerOp, (v) => v <= goals.sqlPerOpAtMost!, (v) => `SQL ${v.toFixed(1)}`);
    if (goals.cpuMsPerOpAtMost !== undefined) judge('CPU', row.serverCpuMsPerOp, (v) => v <= goals.cpuMsPerOpAtMost!, (v) => `CPU ${v.toFixed(2)} ms`);
    if (goals.servicePeakRssMbBelow !== undefined) judge('RSS', run.servicePeakRssMb, (v) => v < goals.servicePeakRssMbBelow!, (v) => `RSS ${v.toFixed(0)} MB`);
    const rate = scenario.kind === 'graphql-page' || scenario.kind === 'graphql-single' ? scenario.ratePerSecond : undefined;
    const latencyJudged = goals.latencyAtRatePerSecond === undefined || rate === goals.latencyAtRatePerSecond;
    if (!latencyJudged) unjudged.push(`latency: measured at ${rate ?? '?'}/s, target at ${goals.latencyAtRatePerSecond}/s`);
    if (goals.p50MsAtMost !== undefined && latencyJudged) judge('p50', r.p50Ms, (v) => v <= goals.p50MsAtMost!, (v) => `p50 ${v.toFixed(1)} ms`);
    if (goals.p99MsBelow !== undefined && latencyJudged) judge('p99', r.p99Ms, (v) => v < goals.p99MsBelow!, (v) => `p99 ${v.toFixed(1)} ms`);
    const other = goals.sqlPerOpAsRow;
    if (other) {
      const theirs = run.rows.find((r) => r.id === other.id)?.sqlPerOp;
      const ours = row.sqlPerOp;
      if (!measured(ours) || !measured(theirs)) unjudged.push(`SQL vs ${other.title}: not measured`);
      else if (ours > theirs + 1) missed.push(`SQL ${ours.toFixed(1)} vs ${theirs.toFixed(1)} (${other.title})`);
    }
  }

  const parts = [missed.length > 0 ? `missed: ${missed.join(', ')}` : undefined, unjudged.length > 0 ? `not judged (${unjudged.join('; ')})` : undefined];
  const said = parts.filter(Boolean).join('; ') || 'met';
  return run.quick && goals.fewerWhenQuick ? `${said} (quick: fewer ${goals.fewerWhenQuick})` : said;
}
