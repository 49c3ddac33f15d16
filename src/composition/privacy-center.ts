import { Request } from 'express';
import { EntityManager } from '@mikro-orm/postgresql';
import { Config } from '../config';
import { AuthRequestQueries } from '../identity-flow';
import { AccountService } from '../privacy-center';
import { AbuseGuard } from '../http/abuse';
import type { AccountPages } from '../http/account/account.routes';
import type { AccountSessionStore } from '../http/account/account-session.store';
import { accountPages } from '../http/account/pages/account-pages.routes';
import { isSecureRequest } from '../http/hygiene';
import { Database } from '../db/scope';
import { Services } from './build-services';

/** The person's view and actions of the privacy center (issue 22), on one region's services. */
export function buildAccountService(services: Services, em: EntityManager): AccountService {
  return new AccountService({
    profiles: services.profiles,
    consent: services.consent,
    exports: services.exports,
    erasure: services.erasure,
    audit: services.audit,
    signIns: new AuthRequestQueries(em, services.keys),
    requests: services.privacyRequests,
  });
}

/** The privacy center's pages of one region, for pc-flow's account router (`account.pages`). */
export function privacyCenterPages(cell: { config: Config; db: Database; orm: { em: EntityManager }; services: Services }, abuse: AbuseGuard, sessions: AccountSessionStore): AccountPages {
  const { config, services } = cell;
  return accountPages({
    db: cell.db,
    customers: services.customerConfigs,
    accounts: buildAccountService(services, cell.orm.em),
    abuse,
    secretKeys: config.SECRET_KEYS,
    requestsPerProfilePerHour: config.RATE_LIMIT_ACCOUNT_REQUESTS_PER_PROFILE,
    requestsPerAddressPerHour: config.RATE_LIMIT_ACCOUNT_REQUESTS_PER_ADDRESS,
    sessions,
    isSecureRequest: (req: Request) => isSecureRequest(req, config.TRUST_PROXY, config.PUBLIC_URL),
  });
}
