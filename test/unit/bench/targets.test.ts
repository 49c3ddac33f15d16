import type { LoadResult } from '../../../bench/load';
import type { ScenarioResult } from '../../../bench/report';
import { SCENARIOS, type Scenario } from '../../../bench/scenarios';
import { describeGoals, verdict, type RunFigures } from '../../../bench/targets';

/** Issue #15's targets as the bench judges them: each row against figures of the same run. */

const scenario = (id: string): Scenario => {
  const found = SCENARIOS.find((s) => s.id === id);
  if (!found) throw new Error(`no scenario ${id}`);
  return found;
};

const load = (overrides: Partial<LoadResult> = {}): LoadResult => ({
  completed: 1000,
  errors: 0,
  windowMs: 10000,
  perSecond: 100,
  p50Ms: 5,
  p99Ms: 10,
  requestsPerOp: 3,
  ...overrides,
});

const row = (id: string, overrides: Partial<ScenarioResult> = {}, result: Partial<LoadResult> = {}): ScenarioResult => ({
  id,
  title: id,
  load: 'c64',
  target: scenario(id).target,
  load_result: load(result),
  ...overrides,
});

const oidcC64 = (perSecond: number) => row('oidc-provider-c64', {}, { perSecond });
/** A login-association-c64 row that meets every goal against oidc-provider at 100 flows/s. */
const goodLogin = (overrides: Partial<ScenarioResult> = {}, result: Partial<LoadResult> = {}) =>
  row('login-association-c64', { serverCpuMsPerOp: 1.5, sqlPerOp: 6, peakRssMb: 150, ...overrides }, { perSecond: 200, ...result });

const judge = (r: ScenarioResult, others: ScenarioResult[], figures: Partial<RunFigures> = {}) =>
  verdict(scenario(r.id), r, { rows: [r, ...others], servicePeakRssMb: 150, quick: false, ...figures });

describe('bench targets', () => {
  it('prints each target from the numbers it is judged on', () => {
    expect(scenario('login-association-c64').target).toBe('≥2× oidc-provider (c64) flows/s, ≤6 SQL, ≤2 ms CPU (aim 1 ms), peak RSS <200 MB (whole run)');
    expect(scenario('login-association-c1').target).toBe('p50 ≤10 ms');
    expect(scenario('login-consent-c64').target).toBe('≥1.5× oidc-provider (c64) flows/s, ≤8 SQL');
    expect(scenario('login-stateless-c64').target).toBe('≤8 SQL');
    expect(scenario('login-fresh-association-c64').target).toBe('≥1× oidc-provider (c64) flows/s');
    expect(scenario('login-oidc-c64').target).toBe('≥1× oidc-provider (c64) flows/s, ≤5 SQL');
    expect(scenario('graphql-page100').target).toBe("≤8 ms CPU, p99 <20 ms at 100/s, SQL ≤ page of 10's +1");
    expect(scenario('audit-drain').target).toBe('≥20,000 events/s for 100,000 events');
    expect(describeGoals({})).toBe('');
  });

  it('meets the login target at the limits (≤2 ms CPU, ≤6 SQL, ≥2× oidc-provider)', () => {
    expect(judge(goodLogin({ serverCpuMsPerOp: 2 }), [oidcC64(100)])).toBe('met');
  });

  it('names every login figure that missed, with its value', () => {
    const missed = goodLogin({ serverCpuMsPerOp: 9.3, sqlPerOp: 23 }, { perSecond: 96 });
    expect(judge(missed, [oidcC64(377)], { servicePeakRssMb: 293 })).toBe('missed: ratio 0.25×, SQL 23.0, CPU 9.30 ms, RSS 293 MB');
  });

  it('does not pass the ratio when oidc-provider did not run in this run', () => {
    expect(judge(goodLogin(), [])).toBe('not judged (ratio: not measured)');
    expect(judge(goodLogin(), [oidcC64(100)].map((r) => ({ ...r, load_result: load({ completed: 0 }) })))).toBe('not judged (ratio: not measured)');
    expect(judge(goodLogin({ sqlPerOp: 7 }), [])).toBe('missed: SQL 7.0; not judged (ratio: not measured)');
  });

  it('divides each row by oidc-provider c64, not by the association row', () => {
    const oidc = oidcC64(100);
    const consent = row('login-consent-c64', { sqlPerOp: 8 }, { perSecond: 160 });
    const fresh = row('login-fresh-association-c64', {}, { perSecond: 99 });
    const slowLogin = goodLogin({}, { perSecond: 50 });
    expect(judge(consent, [oidc, slowLogin])).toBe('met');
    expect(judge(row('login-consent-c64', { sqlPerOp: 8 }, { perSecond: 140 }), [oidc])).toBe('missed: ratio 1.40×');
    expect(judge(fresh, [oidc, slowLogin])).toBe('missed: ratio 0.99×');
  });

  it('judges the OpenID Connect login against oidc-provider c64 and the statements one sign-in needs (1+1+1 browser steps, 2 at the token endpoint)', () => {
    const oidc = oidcC64(100);
    const ours = (sqlPerOp: number, perSecond: number) => row('login-oidc-c64', { sqlPerOp }, { perSecond });
    expect(judge(ours(5, 100), [oidc])).toBe('met');
    expect(judge(ours(5.3, 99), [oidc])).toBe('missed: ratio 0.99×, SQL 5.3');
    expect(judge(ours(5, 100), [])).toBe('not judged (ratio: not measured)');
    expect(scenario('login-oidc-c64')).toMatchObject({ kind: 'ids-oidc', concurrency: 64, quick: true });
    expect(SCENARIOS.filter((s) => s.kind === 'ids-oidc').map((s) => [s.id, s.quick])).toEqual([
      ['login-oidc-c1', false],
      ['login-oidc-c16', false],
      ['login-oidc-c64', true],
    ]);
  });

  it('judges peak RSS on the whole run, not on the row’s own reading', () => {
    expect(judge(goodLogin({ peakRssMb: 150 }), [oidcC64(100)], { servicePeakRssMb: 200 })).toBe('missed: RSS 200 MB');
    expect(judge(goodLogin({ peakRssMb: 150 }), [oidcC64(100)], { servicePeakRssMb: undefined })).toBe('not judged (RSS: not measured)');
  });

  it('does not pass a SQL target without a SQL count', () => {
    expect(judge(row('login-stateless-c64', { sqlPerOp: undefined }), [])).toBe('not judged (SQL: not measured)');
    expect(judge(row('login-stateless-c64', { sqlPerOp: 8.4 }), [])).toBe('missed: SQL 8.4');
  });

  it('judges the single-flow latency at p50 ≤10 ms', () => {
    expect(judge(row('login-association-c1', { load: 'c1' }, { p50Ms: 10 }), [])).toBe('met');
    expect(judge(row('login-association-c1', { load: 'c1' }, { p50Ms: 34 }), [])).toBe('missed: p50 34.0 ms');
  });

  describe('GraphQL page of 100', () => {
    const at100PerSecond = { ...scenario('graphql-page100'), ratePerSecond: 100 } as Scenario;
    const page = (sqlPerOp: number, result: Partial<LoadResult> = {}) => row('graphql-page100', { load: '100/s', serverCpuMsPerOp: 8, sqlPerOp }, { p99Ms: 19, ...result });
    const page10 = (sqlPerOp: number) => row('graphql-page10', { load: '100/s', sqlPerOp });
    const judgePage = (r: ScenarioResult, others: ScenarioResult[]) => verdict(at100PerSecond, r, { rows: [r, ...others], quick: false });

    it('counts one statement more than the page of 10 as the same', () => {
      expect(judgePage(page(10), [page10(9)])).toBe('met');
      expect(judgePage(page(14), [page10(9)])).toBe('missed: SQL 14.0 vs 9.0 (page of 10)');
    });

    it('says the comparison could not be made when the page of 10 did not run', () => {
      expect(judgePage(page(10), [])).toBe('not judged (SQL vs page of 10: not measured)');
    });

    it('misses on CPU and p99', () => {
      expect(judgePage(page(9, { p99Ms: 20 }), [page10(9)])).toBe('missed: p99 20.0 ms');
      expect(judgePage({ ...page(9), serverCpuMsPerOp: 57 }, [page10(9)])).toBe('missed: CPU 57.00 ms');
    });

    it('does not judge latency measured at another rate than the target’s', () => {
      const at200 = { ...at100PerSecond, ratePerSecond: 200 } as Scenario;
      const r = page(9, { p99Ms: 304 });
      expect(verdict(at200, r, { rows: [r, page10(9)], quick: false })).toBe('not judged (latency: measured at 200/s, target at 100/s)');
    });
  });

  describe('worker rows', () => {
    const drain = (operations: number, seconds: number): ScenarioResult => ({ id: 'audit-drain', title: 'audit drain', load: 'worker', target: '', worker: { operations, seconds, cpuMs: 0 } });

    it('judges the audit drain in events per second', () => {
      expect(judge(drain(100_000, 5), [])).toBe('met');
      expect(judge(drain(100_000, 22.57), [])).toBe('missed: 4,431 events/s');
    });

    it('says so when a quick run drained fewer events', () => {
      expect(judge(drain(20_000, 1), [], { quick: true })).toBe('met (quick: fewer events)');
      expect(judge(drain(20_000, 4.5), [], { quick: true })).toBe('missed: 4,444 events/s (quick: fewer events)');
    });

    it('keeps the erasure targets', () => {
      const erase = (id: string, operations: number, seconds: number): ScenarioResult => ({ id, title: id, load: 'worker', target: '', worker: { operations, seconds, cpuMs: 0 } });
      expect(judge(erase('erase-person', 10_000, 0.25), [])).toBe('met');
      expect(judge(erase('erase-person', 10_000, 1), [])).toBe('missed: 1.00 s');
      expect(judge(erase('erase-customer', 20_000, 10.5), [])).toBe('missed: 1,905 profiles/s');
    });
  });

  it('gives no verdict to rows without a target or that did not run, and misses a row that completed nothing', () => {
    expect(judge(row('login-association-c16', { load: 'c16' }), [])).toBeUndefined();
    expect(judge(row('oidc-provider-c64'), [])).toBeUndefined();
    expect(judge({ ...goodLogin(), load_result: undefined, pending: 'did not run' }, [])).toBeUndefined();
    expect(judge(goodLogin({}, { completed: 0 }), [oidcC64(100)])).toBe('missed: no operation completed');
  });
});
