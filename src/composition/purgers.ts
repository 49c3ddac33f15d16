import { Config } from '../config';
import { deleteOldSignInCounts, deleteRetiredAuthRequests, SIGN_IN_COUNT_RETENTION_HOURS } from '../identity-flow';
import { deleteExpiredRows } from '../db/expired-row.repository';
import { Database, platformScope } from '../db/scope';
import { deleteReleasedOutboxRows } from '../audit';
import { Purger } from '../retention';
import { deleteFailedDeliveries } from '../webhooks';
import { ExportService } from '../exports';
import { Clock } from '../shared/clock';

const HOUR_MS = 3600 * 1000;

/**
 * Every kind of row the retention purge removes, each batch in its own platform-path transaction.
 * The README's *Retention* section lists them; keep the two in step.
 */
export function buildPurgers(config: Config, db: Database, clock: Clock, exports: ExportService): Purger[] {
  const routine = (kind: string) => platformScope(`purge ${kind}`, { routine: true });
  const expiring = (
    ['customer_api_key', 'openid_association', 'openid_nonce', 'oauth_access_token', 'oauth_login_code', 'oidc_code', 'oauth_refresh_token', 'oidc_signing_key'] as const
  ).map((table) => ({
    name: table,
    purge: (batchSize: number) => db.run(routine(table), () => deleteExpiredRows(db.orm.em, table, clock.now(), batchSize)),
  }));
  return [
    ...expiring,
    {
      name: 'auth_request',
      purge: (batchSize: number) =>
        db.run(routine('auth_request'), () =>
          deleteRetiredAuthRequests(db.orm.em, new Date(clock.now().getTime() - config.AUTH_REQUEST_RETENTION_HOURS * HOUR_MS), batchSize),
        ),
    },
    {
      // The counts the auth_request purge folded its requests into, once no chart reads their hour.
      name: 'sign_in_hour_count',
      purge: (batchSize: number) =>
        db.run(routine('sign_in_hour_count'), () =>
          deleteOldSignInCounts(db.orm.em, new Date(clock.now().getTime() - SIGN_IN_COUNT_RETENTION_HOURS * HOUR_MS), batchSize),
        ),
    },
    { name: 'profile_export', purge: (batchSize: number) => db.run(routine('profile_export'), () => exports.purgeExpired(batchSize)) },
    {
      name: 'audit_outbox',
      purge: (batchSize: number) =>
        db.run(routine('audit_outbox'), () =>
          deleteReleasedOutboxRows(db.orm.em, new Date(clock.now().getTime() - config.AUDIT_OUTBOX_RETENTION_HOURS * HOUR_MS), batchSize),
        ),
    },
    {
      name: 'webhook_delivery',
      purge: (batchSize: number) =>
        db.run(routine('webhook_delivery'), () =>
          deleteFailedDeliveries(db.orm.em, new Date(clock.now().getTime() - config.WEBHOOK_FAILED_RETENTION_DAYS * 24 * HOUR_MS), batchSize),
        ),
    },
  ];
}
