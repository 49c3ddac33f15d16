import { platformScope } from '../src/db/scope';
import { App, startApp } from '../src/app';
import { loadConfig } from '../src/config';
import { customerUrls, PromptPolicy, Region } from '../src/customers';
import { OperatorRole } from '../src/operators';
import { createLogger, logFormatFor } from '../src/shared/logger';
import { PLATFORM } from '../src/shared/tenant';
import { createSampleAw } from './sample-aw';
import { createSampleRp } from './sample-rp';
import { listenOnLoopback } from './listen';

/** The customer the demo creates, or takes over from an earlier run. */
export const DEMO_SLUG = 'demo';

export interface DemoOptions {
  /** Ports must be known in advance (no 0): each site's URL is configured before the servers start. */
  servicePort?: number;
  awPort?: number;
  rpPort?: number;
  /** The service's own connection (the ids_app role) and the tables' owner's, for migrations. */
  databaseUrl?: string;
  migrationDatabaseUrl?: string;
  redisUrl?: string;
  /** `all` (the default) also runs the background workers; the login flow itself needs only `api`. */
  role?: 'all' | 'api';
  /** Environment for the service's config (LOG_LEVEL, QUEUE_PREFIX, secrets, …); the options above win. */
  env?: Record<string, string | undefined>;
}

export interface RunningDemo {
  /** The sample Relying Party: where a person starts. */
  rpUrl: string;
  /** The sample Authenticating Website. */
  awUrl: string;
  serviceUrl: string;
  /** The ADMIN_TOKEN generated for this run, or null when the environment set one (never echoed). */
  adminToken: string | null;
  /** An owner operator token of the demo customer, made for this run (a day long), to open the dashboard with. */
  dashboardToken: string;
  /** Stops the sites and the service. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Runs the whole delegated-login story on this machine: the service (API and workers), a demo
 * customer, the sample AW as that customer's login site, and a sample RP that trusts the service.
 * Everything listens on 127.0.0.1.
 */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const servicePort = checkPort(options.servicePort ?? 3000);
  const awUrl = `http://127.0.0.1:${checkPort(options.awPort ?? 4000)}`;
  const rpUrl = `http://127.0.0.1:${checkPort(options.rpPort ?? 5000)}`;
  const serviceUrl = `http://127.0.0.1:${servicePort}`;

  const { config, isAdminTokenGenerated } = loadConfig({
    ...options.env,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...(options.migrationDatabaseUrl ? { MIGRATION_DATABASE_URL: options.migrationDatabaseUrl } : {}),
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    HOST: '127.0.0.1',
    PORT: String(servicePort),
    PUBLIC_URL: serviceUrl,
    ROLE: options.role ?? 'all',
  });
  const log = createLogger(config.LOG_LEVEL, undefined, logFormatFor(config.LOG_FORMAT, { isTTY: process.stdout.isTTY === true, nodeEnv: config.NODE_ENV }));
  const app = await startApp({ config, log });

  const stops: Array<() => Promise<void>> = [() => app.stop()];
  let stopping: Promise<void> | null = null;
  const stop = () => {
    // Last started, first stopped: the sites go before the service they talk to.
    stopping ??= (async () => {
      const failures: unknown[] = [];
      for (const close of stops.reverse()) await close().catch((err: unknown) => failures.push(err));
      if (failures.length > 0) throw failures[0];
    })();
    return stopping;
  };

  let dashboardToken: string;
  try {
    const urls = customerUrls(config.PUBLIC_URL, DEMO_SLUG);
    const { apiKey, customerId } = await provisionDemoCustomer(app, { verifyUrl: `${awUrl}/verify`, trustedRealms: [`${rpUrl}/`] });
    dashboardToken = await dashboardTokenFor(app, customerId);
    const aw = await listenOnLoopback(createSampleAw({ postbackUrl: urls.postbackUrl, returnUrl: urls.returnUrl, apiKey }), portOf(awUrl));
    stops.push(aw.close);
    const rp = await listenOnLoopback(createSampleRp({ opIdentifier: urls.openidIdentifier, baseUrl: rpUrl }), portOf(rpUrl));
    stops.push(rp.close);
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  log.child({ component: 'demo' }).info({ rpUrl, awUrl, serviceUrl, slug: DEMO_SLUG }, 'demo running');
  return { rpUrl, awUrl, serviceUrl, adminToken: isAdminTokenGenerated ? config.ADMIN_TOKEN.reveal() : null, dashboardToken, stop };
}

/**
 * Creates the demo customer, or points an earlier run's one at this run's sites. Either way it
 * returns a fresh API key: only hashes of keys are stored, so an old one cannot be read back.
 */
async function provisionDemoCustomer(app: App, settings: { verifyUrl: string; trustedRealms: string[] }): Promise<{ apiKey: string; customerId: string }> {
  const customers = app.services.customers;
  const fields = { ...settings, promptPolicy: PromptPolicy.PROMPT };
  return app.db.run(platformScope('demo customer provisioning'), async () => {
    const existing = await customers.findBySlug(DEMO_SLUG);
    if (!existing) {
      const created = await customers.createCustomer({ slug: DEMO_SLUG, name: 'Demo Website', region: Region.EU, ...fields });
      return { apiKey: created.apiKey, customerId: created.customer.id };
    }
    await customers.updateCustomer(existing.id, fields, PLATFORM);
    return { apiKey: (await customers.rotateCustomerApiKey(existing.id, PLATFORM)).apiKey, customerId: existing.id };
  });
}

/**
 * An owner token of the demo customer for the dashboard, valid for a day (each run makes its own;
 * the ones of earlier runs expire by themselves). Bound to the customer, so it opens that
 * customer's pages and nothing of the platform.
 */
async function dashboardTokenFor(app: App, customerId: string): Promise<string> {
  return app.db.run(platformScope('demo dashboard token'), async () => {
    const command = { name: 'demo dashboard', role: OperatorRole.OWNER, customerId, expiresInDays: 1, createdBy: 'bootstrap-admin' };
    return (await app.services.operatorTokens.createToken(command, PLATFORM)).token;
  });
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`demo ports must be integers from 1 to 65535, got ${port}`);
  return port;
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}
