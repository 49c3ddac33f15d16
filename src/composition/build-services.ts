import { MikroORM } from '@mikro-orm/postgresql';
import { RedisClient } from '../shared/redis-client';
import { Config } from '../config';
import { CustomerDirectory, CustomerResidency, CustomerService, PrivacyCenterSettingsService } from '../customers';
import { createRealmFetcher, DiscoveryService, LoginStep, OpenIdProviderService, ReturnToVerifier, SharedAssociationCache, YadisRealmDiscovery } from '../openid-provider';
import { IdentityFlowService } from '../identity-flow';
import { ConsentService } from '../consent';
import { ProfileService } from '../profiles';
import { OAuthClientService, OAuthLoginCodeService, OAuthTokenService } from '../oauth';
import { OperatorTokenService } from '../operators';
import { OidcClients, OidcClientService } from '../oidc-provider/clients';
import { Database } from '../db/scope';
import { SqlPool } from '../db/sql-pool';
import { AuditService } from '../audit';
import { RetentionService } from '../retention';
import { WebhookService } from '../webhooks';
import { ErasurePurge, ErasureService } from '../erasure';
import { ExportService } from '../exports';
import { PrivacyRequestService } from '../privacy-requests';
import { JobProducer } from '../jobs/producer';
import { Clock } from '../shared/clock';
import { OutboundGuard, Resolver } from '../shared/net/outbound-guard';
import { createSealer } from '../shared/sealed-box';
import { createKeyedHash } from '../shared/keyed-hash';
import { RandomSource } from '../shared/random';
import { Logger } from '../shared/logger';
import { buildPurgers } from './purgers';
import { KeyRing, KeyRotationService, LegacySealer, LocalKeyProvider } from '../keys';
import { OidcTokenService } from '../oidc-provider';
import { OidcAuthorizationService } from '../oidc-provider/authorization.service';
import { OidcSigningKeys } from '../oidc-provider/signing-keys.service';
import { BackchannelLogout } from '../oidc-provider/backchannel-logout';
import { OidcLogoutService } from '../oidc-provider/logout.service';
import { buildOidcLogout } from './oidc-logout';
import { buildOidcTokenService } from './oidc-tokens';
import { buildDataSubjectRights } from './data-subject-rights';

export interface Services {
  /** The data keys of customers and people (issue 17). */
  keys: KeyRing;
  /** Re-wraps customer keys under the newest KEK (platform operator, `npm run keys:rotate`). */
  keyRotation: KeyRotationService;
  /** Seals what was written in clear before encryption at rest (the upgrade job). */
  legacySealer: LegacySealer;
  audit: AuditService;
  webhooks: WebhookService;
  customers: CustomerService;
  /** Customers' privacy center settings (issue 22). */
  privacyCenterSettings: PrivacyCenterSettingsService;
  provider: OpenIdProviderService;
  discovery: DiscoveryService;
  identityFlow: IdentityFlowService;
  consent: ConsentService;
  oauthClients: OAuthClientService;
  oauthTokens: OAuthTokenService;
  oauthLoginCodes: OAuthLoginCodeService;
  /** OpenID Connect relying parties: registration (GraphQL) and the endpoints' cached lookup (kept fresh by the change feed). */
  oidcClients: OidcClientService;
  oidcClientLookup: OidcClients;
  /** Customers' login configuration by slug, cached in the process (the login path's view of them). */
  customerConfigs: CustomerDirectory;
  /** The OpenID Connect authorization endpoint of every customer (issue 19). */
  oidcAuthorization: OidcAuthorizationService;
  profiles: ProfileService;
  operatorTokens: OperatorTokenService;
  retention: RetentionService;
  erasure: ErasureService;
  erasurePurge: ErasurePurge;
  exports: ExportService;
  /** Data subjects' requests from the privacy center (issue 22): due dates, review, completion. */
  privacyRequests: PrivacyRequestService;
  /** The customers' ID token signing keys: signs, publishes the JWKS, rotates (issue 19). */
  oidcKeys: OidcSigningKeys;
  /** The end-session endpoint (RP-initiated logout) and the back-channel logout notices it queues. */
  oidcLogout: OidcLogoutService;
  backchannelLogout: BackchannelLogout;
  /** The OpenID Connect token, revocation, introspection and UserInfo endpoints (issue 19). */
  oidcTokens: OidcTokenService;
}

/** What the services are built on: opened once by `startApp`, shared by both roles. */
export interface ServiceFoundation {
  config: Config;
  log: Logger;
  clock: Clock;
  random: RandomSource;
  /** The login step of checkid requests; tests may answer it directly. Defaults to the delegated login flow. */
  loginStep?: LoginStep;
  /** Answers DNS for outbound requests to customer URLs (webhooks, RP discovery). Defaults to the system resolver. */
  resolve?: Resolver;
  orm: MikroORM;
  db: Database;
  /** The login path's own pool (issue 15). */
  pool: SqlPool;
  directory: CustomerDirectory;
  sharedAssociations: SharedAssociationCache;
  /** Adds jobs; never runs them. */
  producer: JobProducer;
  /** The region these services' database is in, and the directory new customers are claimed in (issue 18). */
  residency?: CustomerResidency;
  /** The region's Redis (OIDC client assertion ids). */
  redis: RedisClient;
}

/** OpenID Connect clients each instance keeps in memory at most (known and unknown client_ids). */
const OIDC_CLIENT_CACHE_ENTRIES = 10_000;

/** RP discovery limits: an XRDS is a few hundred bytes; a realm worth verifying does not redirect much. */
const RP_DISCOVERY_MAX_BYTES = 64 * 1024;
const RP_DISCOVERY_MAX_REDIRECTS = 2;
/** Realms remembered at most, and fetches running at once at most: what an anonymous flood can cost. */
const RP_DISCOVERY_CACHE_ENTRIES = 1000;
const RP_DISCOVERY_MAX_IN_FLIGHT = 32;
/** Of those, at most this many for one customer's checkids, so no customer's traffic starves another's. */
const RP_DISCOVERY_MAX_IN_FLIGHT_PER_CUSTOMER = 4;

/**
 * Builds every service once, the same for both roles. Services hold the global EntityManager
 * (`orm.em`), which resolves to the transaction of the current unit of work (see db/scope.ts).
 */
export function buildServices(foundation: ServiceFoundation): Services {
  const { config, log, clock, random, loginStep, resolve, orm, db, pool, directory, sharedAssociations, producer, residency, redis } = foundation;
  // Made under the newest version, checked under any; identifiers matched across time (subject,
  // address and postback hashes) stay on the stable one (README, "Rotating SECRET_KEYS").
  const secretKeys = config.SECRET_KEYS;
  const stableSecret = secretKeys.stable.secret.reveal();
  const keyProvider = new LocalKeyProvider(config.MASTER_KEYS);
  const keys = new KeyRing({ pool, provider: keyProvider, clock, cacheSeconds: config.KEY_CACHE_SECONDS });
  const audit = new AuditService({ em: orm.em, clock, secretKeys, keys });
  const customers = new CustomerService({
    em: orm.em,
    residency,
    clock,
    random,
    apiKeyRotationGraceSeconds: config.API_KEY_ROTATION_GRACE_SECONDS,
    audit,
    onConfigChanged: () => db.afterCommit(async () => directory.invalidateAll()),
  });
  const consent = new ConsentService(orm.em, clock, audit, keys);
  const profiles = new ProfileService({ em: orm.em, clock, audit, keys });
  const oauthTokens = new OAuthTokenService({ em: orm.em, clock, random, secretKeys, accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, audit, keys });
  const oauthLoginCodes = new OAuthLoginCodeService({ em: orm.em, clock, random, secretKeys, loginCodeTtlSeconds: config.LOGIN_CODE_TTL_SECONDS, tokens: oauthTokens, audit, keys });
  const identityFlow = new IdentityFlowService({
    pool,
    clock,
    random,
    customers: directory,
    loginCodes: oauthLoginCodes,
    subjectHash: (customerId, username) => audit.subjectHash(customerId, username),
    keys,
    settings: { publicUrl: config.PUBLIC_URL, secretKeys, authRequestTtlSeconds: config.AUTH_REQUEST_TTL_SECONDS },
    log: log.child({ feature: 'identity-flow' }),
  });
  const oidcClientLookup = new OidcClients(orm.em, clock, { maxAgeMs: config.CONFIG_CACHE_MAX_AGE_SECONDS * 1000, maxEntries: OIDC_CLIENT_CACHE_ENTRIES }, db);
  const provider = new OpenIdProviderService({
    pool,
    sharedAssociations,
    associationSealer: createSealer(secretKeys, 'openid-association-mac-key'),
    associationSourceHash: createKeyedHash(stableSecret, 'openid-association-source'),
    clock,
    random,
    customers: directory,
    login: loginStep ?? identityFlow,
    returnToVerifier: new ReturnToVerifier({
      discovery: new YadisRealmDiscovery(
        createRealmFetcher({
          policy: { allowPrivate: config.RP_DISCOVERY_ALLOW_PRIVATE_URLS },
          timeoutMs: config.RP_DISCOVERY_TIMEOUT_MS,
          maxBytes: RP_DISCOVERY_MAX_BYTES,
          maxRedirects: RP_DISCOVERY_MAX_REDIRECTS,
          resolve,
        }),
        config.RP_DISCOVERY_TIMEOUT_MS,
      ),
      clock,
      successTtlSeconds: config.RP_DISCOVERY_CACHE_SECONDS,
      failureTtlSeconds: config.RP_DISCOVERY_FAILURE_CACHE_SECONDS,
      maxEntries: RP_DISCOVERY_CACHE_ENTRIES,
      maxInFlight: RP_DISCOVERY_MAX_IN_FLIGHT,
      maxInFlightPerCustomer: RP_DISCOVERY_MAX_IN_FLIGHT_PER_CUSTOMER,
    }),
    settings: {
      publicUrl: config.PUBLIC_URL,
      sharedAssociationLifetimeSeconds: config.ASSOCIATION_LIFETIME_SECONDS,
      privateAssociationLifetimeSeconds: config.PRIVATE_ASSOCIATION_LIFETIME_SECONDS,
      nonceMaxAgeSeconds: config.NONCE_MAX_AGE_SECONDS,
      maxLiveAssociationsPerAddress: config.ASSOCIATION_MAX_LIVE_PER_ADDRESS,
    },
  });
  const webhooks = new WebhookService({
    em: orm.em,
    db,
    clock,
    random,
    sealer: createSealer(secretKeys, 'webhook-signing-secret'),
    audit,
    policy: { allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_URLS },
    outbound: new OutboundGuard({ allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_URLS, resolve }),
    log: log.child({ feature: 'webhooks' }),
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    retrySchedule: config.WEBHOOK_RETRY_SCHEDULE,
    secretGraceSeconds: config.WEBHOOK_SECRET_GRACE_SECONDS,
    restrictions: profiles,
    keys,
  });
  const { erasure, erasurePurge, exports, privacyRequests } = buildDataSubjectRights({ config, log, clock, orm, db, producer, residency, audit, keys, profiles });
  const oidcKeys = new OidcSigningKeys({
    db,
    em: orm.em,
    keys,
    clock,
    audit,
    rotation: { publishSeconds: config.OIDC_KEY_PUBLISH_SECONDS, retiredSeconds: config.OIDC_KEY_RETIRED_SECONDS },
    cacheMaxAgeMs: config.CONFIG_CACHE_MAX_AGE_SECONDS * 1000,
  });
  const oidcLogout = buildOidcLogout({
    config,
    em: orm.em,
    db,
    clock,
    keys,
    audit,
    customers: directory,
    clients: oidcClientLookup,
    signer: oidcKeys,
    producer,
    resolve,
    log: log.child({ feature: 'oidc-logout' }),
  });
  return {
    keys,
    keyRotation: new KeyRotationService({ db, em: orm.em, provider: keyProvider, audit, log: log.child({ feature: 'keys' }) }),
    legacySealer: new LegacySealer({ em: orm.em, keys, subjectHash: (customerId, username) => audit.subjectHash(customerId, username), log: log.child({ feature: 'keys' }) }),
    audit,
    webhooks,
    customers,
    privacyCenterSettings: new PrivacyCenterSettingsService({ em: orm.em, clock, audit, onConfigChanged: () => db.afterCommit(async () => directory.invalidateAll()) }),
    provider,
    discovery: new DiscoveryService(directory, config.PUBLIC_URL),
    identityFlow,
    consent,
    oauthClients: new OAuthClientService({ em: orm.em, clock, random, audit }),
    oauthTokens,
    oauthLoginCodes,
    oidcClients: new OidcClientService({ em: orm.em, clock, random, audit }),
    oidcClientLookup,
    customerConfigs: directory,
    oidcAuthorization: new OidcAuthorizationService({ customers: directory, clients: oidcClientLookup, login: identityFlow, publicUrl: config.PUBLIC_URL }),
    profiles,
    operatorTokens: new OperatorTokenService({ em: orm.em, clock, random, secretKeys, audit }),
    retention: new RetentionService({ db, em: orm.em, clock, purgers: buildPurgers(config, db, clock, exports), batchSize: config.PURGE_BATCH_SIZE }),
    erasure,
    erasurePurge,
    exports,
    privacyRequests,
    oidcKeys,
    oidcLogout: oidcLogout.logout,
    backchannelLogout: oidcLogout.backchannel,
    oidcTokens: buildOidcTokenService({
      config,
      em: orm.em,
      pool,
      clock,
      random,
      keys,
      audit,
      profiles,
      tokens: oauthTokens,
      customers: directory,
      clients: oidcClientLookup,
      signer: oidcKeys,
      redis,
    }),
  };
}
