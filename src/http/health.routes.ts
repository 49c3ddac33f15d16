import { Router } from 'express';

/** A dependency the service needs to do useful work; `check` throws when it is unreachable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** How long one readiness probe may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 2000;

/**
 * `/healthz`: the process is up. `/readyz`: PostgreSQL and Redis answer; otherwise 503 naming what
 * is down, so a load balancer stops sending traffic without restarting the process.
 */
export function healthRoutes(checks: readonly ReadinessCheck[]): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  router.get('/readyz', async (_req, res) => {
    const failures: string[] = [];
    await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), CHECK_TIMEOUT_MS);
        } catch (err) {
          failures.push(`${name}: ${err instanceof Error ? err.message : 'unreachable'}`);
        }
      }),
    );
    res.set('Cache-Control', 'no-store');
    if (failures.length > 0) {
      res.status(503).type('text/plain').send(`not ready\n${failures.sort().join('\n')}\n`);
      return;
    }
    res.type('text/plain').send('ready\n');
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
