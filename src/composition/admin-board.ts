import { Queue } from 'bullmq';
import type { RequestHandler } from 'express';
import { AdminSessionStore } from '../admin';
import { adminRoutes } from '../admin/admin.routes';
import { Config, plainKeyPrefix } from '../config';
import { AbuseGuard } from '../http/abuse';
import { isSecureRequest } from '../http/hygiene';
import { QUEUES } from '../jobs/queues';
import { RegionCell } from './open-region-cell';

/**
 * The queue board (`/admin`, admin/admin.routes.ts) of the API role: every served region's queues
 * (each region's Redis and queue prefix, on the region's connection, closed with the region: the
 * board reads and acts on jobs and never blocks on a queue), sessions in the home region's Redis,
 * events on the home region's platform chain, and sign-in counted by the home region's abuse guard.
 * `close` closes the board's queues (they hold listeners on the regions' connections); the app calls
 * it on stop, before the regions close.
 */
export function adminBoard(config: Config, cells: readonly RegionCell[], abuse: AbuseGuard): { handler: RequestHandler; close(): Promise<void> } {
  const home = cells[0]!;
  const queues = cells.map((cell) => ({
    region: cell.region,
    queues: Object.values(QUEUES).map((name) => {
      const queue = new Queue(name, { connection: cell.redis, prefix: cell.config.QUEUE_PREFIX });
      // Reported by the board's own answers (and by readiness); nothing to add here.
      queue.on('error', () => undefined);
      return queue;
    }),
  }));
  const handler = adminRoutes({
    regions: cells.map((cell) => ({ region: cell.region, db: cell.db, operatorTokens: cell.services.operatorTokens })),
    queues,
    sessions: new AdminSessionStore(home.redis, `${plainKeyPrefix(home.config.QUEUE_PREFIX)}:admin-session:`),
    audit: { db: home.db, service: home.services.audit },
    secretKeys: config.SECRET_KEYS,
    publicUrl: config.PUBLIC_URL,
    sessionTtlSeconds: config.ADMIN_SESSION_TTL_SECONDS,
    loginPerAddress: config.RATE_LIMIT_ADMIN_LOGIN_PER_ADDRESS,
    abuse,
    isSecureRequest: (req) => isSecureRequest(req, config.TRUST_PROXY, config.PUBLIC_URL),
  });
  const close = async () => {
    for (const { queues: regionQueues } of queues) for (const queue of regionQueues) await queue.close().catch(() => undefined);
  };
  return { handler, close };
}
