import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../../shared/logger';
import { grantTypeLabel, tokenResultLabel } from './labels';
import type { LoginFlowMetrics } from './login-flow';
import { cachedRead, QUEUE_STATES, RegionScrapeSources } from './scrape-sources';

/** How long a scrape's reads of Redis and PostgreSQL are reused: scrapes cannot load either. */
export const SCRAPE_CACHE_MS = 5000;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300];

/** Counts token endpoint answers (`/oauth/token`, `/c/:slug/oidc/token`). */
export interface TokenGrantMetrics {
  answered(grantType: string | undefined, status: number, error: unknown): void;
}

/**
 * The process's own metrics (CPU, memory, event-loop delay, GC; prom-client's default metrics),
 * registered once per process: collecting them starts an event-loop-delay monitor and a GC observer
 * that nothing can stop, so one set serves every app of the process (tests start many).
 */
let processRegistry: Registry | null = null;

/** The registry of the process's default metrics, made on first use and the same ever after. */
export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'ids_' });
  }
  return processRegistry;
}

/** Told of each finished job by the workers. */
export type JobObserver = (queue: string, result: 'completed' | 'failed', seconds: number) => void;

/**
 * One running app's metrics (issue 20): its own prom-client Registry, never the global one, so
 * several apps in one process (tests) each scrape only their own, followed by the process's
 * (processMetrics(), shared by every app of the process). Counters and histograms are
 * updated by the transports and the workers as things happen; queue depths, the audit outbox and
 * the pools are read on scrape, through a cache of SCRAPE_CACHE_MS.
 */
export class AppMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly graphqlOperations: Counter<'region' | 'operation' | 'result'>;
  private readonly loginSteps: Counter<'region' | 'protocol' | 'step' | 'outcome' | 'reason'>;
  private readonly tokenGrants: Counter<'grant_type' | 'result'>;
  private readonly jobsTotal: Counter<'region' | 'queue' | 'result'>;
  private readonly jobDuration: Histogram<'region' | 'queue'>;
  private readonly sources: RegionScrapeSources[] = [];

  constructor(private readonly log: Logger) {
    const registers = [this.registry];
    this.httpRequests = new Counter({ name: 'ids_http_requests_total', help: 'HTTP requests answered, by method, route template and status.', labelNames: ['method', 'route', 'status'], registers });
    this.httpDuration = new Histogram({
      name: 'ids_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.loginSteps = new Counter({
      name: 'ids_login_flow_steps_total',
      help: 'Sign-in steps by step and outcome: started, postback accepted/refused (reason), consent shown, end completed/cancelled/expired/refused (reason).',
      labelNames: ['region', 'protocol', 'step', 'outcome', 'reason'],
      registers,
    });
    this.tokenGrants = new Counter({ name: 'ids_oauth_token_grants_total', help: 'Token endpoint answers by grant type and result (success or the RFC 6749 error code).', labelNames: ['grant_type', 'result'], registers });
    this.graphqlOperations = new Counter({
      name: 'ids_graphql_operations_total',
      help: 'GraphQL operations by operation name (our clients\' documents only; others are `other`) and result (ok or the first error\'s code).',
      labelNames: ['region', 'operation', 'result'],
      registers,
    });
    this.jobsTotal = new Counter({ name: 'ids_jobs_total', help: 'Jobs run by the workers, by queue and result (completed or failed; a failed attempt may be retried).', labelNames: ['region', 'queue', 'result'], registers });
    this.jobDuration = new Histogram({ name: 'ids_job_duration_seconds', help: 'Time a job attempt ran, by queue.', labelNames: ['region', 'queue'], buckets: JOB_BUCKETS, registers });
    this.scrapedGauges(registers);
  }

  /** The login-flow counters of one region. */
  loginFlow(region: string): LoginFlowMetrics {
    return { count: ({ step, outcome, protocol, reason }) => this.loginSteps.inc({ region, step, outcome, ...(protocol ? { protocol } : {}), ...(reason ? { reason } : {}) }) };
  }

  tokenGrantMetrics(): TokenGrantMetrics {
    return { answered: (grantType, status, error) => this.tokenGrants.inc({ grant_type: grantTypeLabel(grantType), result: tokenResultLabel(status, error) }) };
  }

  /** The job outcomes of one region's workers. */
  jobs(region: string): JobObserver {
    return (queue, result, seconds) => {
      this.jobsTotal.inc({ region, queue, result });
      this.jobDuration.observe({ region, queue }, seconds);
    };
  }

  /** Adds a region whose queues, outbox and pools are read on scrape. */
  watch(sources: RegionScrapeSources): void {
    this.sources.push(sources);
  }

  /** The exposition text (this app's series, then the process's) and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const [own, process] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return { contentType: this.registry.contentType, body: own.endsWith('\n') || own === '' ? own + process : `${own}\n${process}` };
  }

  /** Releases the scrape sources' handles (on app stop). */
  async close(): Promise<void> {
    for (const source of this.sources.splice(0)) await source.close().catch(() => undefined);
  }

  private scrapedGauges(registers: Registry[]): void {
    const sources = this.sources;
    const log = this.log;
    const queueReads = new WeakMap<RegionScrapeSources, () => ReturnType<RegionScrapeSources['queueCounts']>>();
    const outboxReads = new WeakMap<RegionScrapeSources, () => ReturnType<RegionScrapeSources['outboxBacklog']>>();
    const queueRead = (s: RegionScrapeSources) => queueReads.get(s) ?? queueReads.set(s, cachedRead(() => s.queueCounts(), SCRAPE_CACHE_MS)).get(s)!;
    const outboxRead = (s: RegionScrapeSources) => outboxReads.get(s) ?? outboxReads.set(s, cachedRead(() => s.outboxBacklog(), SCRAPE_CACHE_MS)).get(s)!;
    // A source that cannot be read (Redis or PostgreSQL away) leaves its series out of this scrape; the scrape itself still answers.
    new Gauge({
      name: 'ids_queue_jobs',
      help: 'Jobs in each BullMQ queue by state (read on scrape, cached a few seconds; the deployment\'s, reported alike by every instance: aggregate with max).',
      labelNames: ['region', 'queue', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const source of sources) {
          try {
            for (const { queue, counts } of await queueRead(source)()) {
              for (const state of QUEUE_STATES) this.set({ region: source.region, queue, state }, counts[state] ?? 0);
            }
          } catch (err) {
            log.warn({ err: (err as Error).message, region: source.region }, 'metrics: queue counts unavailable');
          }
        }
      },
    });
    const outboxGauge = (name: string, help: string, value: (backlog: { undrained: number; oldestSeconds: number | null }) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['region'],
        registers,
        async collect() {
          this.reset();
          for (const source of sources) {
            try {
              // Both gauges share one cached read.
              this.set({ region: source.region }, value(await outboxRead(source)()));
            } catch (err) {
              log.warn({ err: (err as Error).message, region: source.region }, 'metrics: audit outbox unavailable');
            }
          }
        },
      });
    outboxGauge('ids_audit_outbox_undrained', 'Audit outbox rows not yet moved onto their chain (reported alike by every instance: aggregate with max).', (b) => b.undrained);
    outboxGauge('ids_audit_outbox_lag_seconds', 'Age of the oldest audit outbox row not yet moved onto its chain (0 when none waits; reported alike by every instance: aggregate with max).', (b) => b.oldestSeconds ?? 0);
    const overdueReads = new WeakMap<RegionScrapeSources, () => Promise<number>>();
    const overdueRead = (s: RegionScrapeSources) => overdueReads.get(s) ?? overdueReads.set(s, cachedRead(() => s.overduePrivacyRequests(), SCRAPE_CACHE_MS)).get(s)!;
    new Gauge({
      name: 'ids_privacy_requests_overdue',
      help: 'Privacy requests waiting for review or in progress past their due date, 30 days after they came in (read on scrape, cached a few seconds; reported alike by every instance: aggregate with max).',
      labelNames: ['region'],
      registers,
      async collect() {
        this.reset();
        for (const source of sources) {
          try {
            this.set({ region: source.region }, await overdueRead(source)());
          } catch (err) {
            log.warn({ err: (err as Error).message, region: source.region }, 'metrics: privacy requests unavailable');
          }
        }
      },
    });
    new Gauge({
      name: 'ids_db_pool_connections',
      help: 'PostgreSQL pool connections by pool and state: total open, idle, and callers waiting for one.',
      labelNames: ['region', 'pool', 'state'],
      registers,
      collect() {
        this.reset();
        for (const source of sources) {
          for (const pool of source.pools) {
            const usage = pool.usage();
            for (const state of ['total', 'idle', 'waiting'] as const) this.set({ region: source.region, pool: pool.name, state }, usage[state]);
          }
        }
      },
    });
  }
}
