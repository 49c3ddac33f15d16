import { AppMetrics, processMetrics } from '../../../../src/observability/metrics';
import { createLogger } from '../../../../src/shared/logger';

describe('process metrics', () => {
  it('are collected once per process and scraped by every app', async () => {
    const log = createLogger('silent');
    const shared = processMetrics();
    const collectors = shared.getMetricsAsArray().length;
    const apps = Array.from({ length: 5 }, () => new AppMetrics(log));
    // Each app's own registry holds only its series: the process's (and their event-loop and GC monitors) are registered once.
    for (const app of apps) expect(app.registry.getSingleMetric('ids_process_cpu_seconds_total')).toBeUndefined();
    expect(processMetrics()).toBe(shared);
    expect(shared.getMetricsAsArray().length).toBe(collectors);
    expect(shared.getSingleMetric('ids_process_cpu_seconds_total')).toBeDefined();
    expect(shared.getSingleMetric('ids_nodejs_eventloop_lag_seconds')).toBeDefined();

    for (const app of apps.slice(0, 2)) {
      const { body } = await app.scrape();
      expect(body).toMatch(/^ids_process_cpu_seconds_total \d/m);
      expect(body).toMatch(/^# TYPE ids_http_requests_total counter$/m);
      // Every family once: the two registries' outputs are joined, not repeated.
      const types = [...body.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
      expect(new Set(types).size).toBe(types.length);
    }
    for (const app of apps) await app.close();
  });
});
