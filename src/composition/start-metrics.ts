import { Config } from '../config';
import { AppMetrics, MetricsListener, startMetricsListener } from '../observability/metrics';
import { regionScrapeSources } from './metrics-sources';
import type { RegionCell } from './open-region-cell';

/**
 * Points the app's metrics at every region's queues, outbox and pools, and opens the METRICS_PORT
 * listener when one is configured (null otherwise). The main port's GET /metrics is the HTTP
 * transport's (observability/metrics/http-metrics.ts).
 */
export async function startMetrics(config: Config, metrics: AppMetrics, cells: readonly RegionCell[]): Promise<MetricsListener | null> {
  for (const cell of cells) metrics.watch(regionScrapeSources(cell));
  if (config.METRICS_PORT === undefined) return null;
  return startMetricsListener(metrics, config.METRICS_HOST, config.METRICS_PORT);
}
