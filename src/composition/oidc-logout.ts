import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService } from '../audit';
import { Config } from '../config';
import { CustomerConfig } from '../customers';
import { Database } from '../db/scope';
import { JobProducer } from '../jobs/producer';
import { JOBS, QUEUES } from '../jobs/queues';
import { KeyRing } from '../keys';
import { BackchannelLogout } from '../oidc-provider/backchannel-logout';
import type { IdTokenSigner } from '../oidc-provider/id-token-signer';
import { OidcLogoutService } from '../oidc-provider/logout.service';
import type { OidcClientLookup } from '../oidc-provider/registered-client';
import { Clock } from '../shared/clock';
import { Logger } from '../shared/logger';
import { OutboundGuard, Resolver } from '../shared/net/outbound-guard';

export interface OidcLogoutParts {
  config: Config;
  em: EntityManager;
  db: Database;
  clock: Clock;
  keys: KeyRing;
  audit: AuditService;
  customers: { bySlug(slug: string): Promise<CustomerConfig | null> };
  clients: OidcClientLookup;
  signer: IdTokenSigner;
  producer: JobProducer;
  resolve?: Resolver;
  log: Logger;
}

/**
 * A back-channel logout is a short call a client answers at once (Back-Channel Logout 1.0 §2.8):
 * at most this long, or WEBHOOK_TIMEOUT_MS when that is shorter.
 */
const BACKCHANNEL_TIMEOUT_MS = 5000;

/** The end-session endpoint's service and the back-channel delivery its jobs run. */
export function buildOidcLogout(parts: OidcLogoutParts): { logout: OidcLogoutService; backchannel: BackchannelLogout } {
  const { config, em, db, clock, keys, audit, customers, clients, signer, producer, log } = parts;
  const logout = new OidcLogoutService({
    em,
    clock,
    keys,
    audit,
    customers,
    clients,
    signer,
    publicUrl: config.PUBLIC_URL,
    // Queued once the revocations are committed. A notice lost to a Redis outage is not sent again
    // (the tokens are revoked all the same; the client learns at its next refresh or introspection).
    notify: (notice) =>
      db.afterCommit(async () => {
        try {
          await producer.add(QUEUES.backchannelLogout, JOBS.deliverBackchannelLogout, { ...notice }, `logout-${notice.jti}`);
        } catch (err) {
          log.warn({ err: (err as Error).message, customerId: notice.customerId, clientId: notice.clientId, jti: notice.jti }, 'could not queue a back-channel logout');
        }
      }),
  });
  const backchannel = new BackchannelLogout({
    keys,
    clients,
    signer,
    clock,
    // The same SSRF policy as webhooks: customer URLs reach public addresses only, unless a development setup allows private ones.
    outbound: new OutboundGuard({ allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_URLS, resolve: parts.resolve }),
    timeoutMs: Math.min(BACKCHANNEL_TIMEOUT_MS, config.WEBHOOK_TIMEOUT_MS),
  });
  return { logout, backchannel };
}
