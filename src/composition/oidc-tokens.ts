import { EntityManager } from '@mikro-orm/postgresql';
import { RedisClient } from '../shared/redis-client';
import { AuditService } from '../audit';
import { Config, plainKeyPrefix } from '../config';
import type { SqlPool } from '../db/sql-pool';
import { CustomerConfig } from '../customers';
import { KeyRing } from '../keys';
import { OAuthTokenService } from '../oauth';
import { IdTokenSigner, OidcClientLookup, OidcTokenService } from '../oidc-provider';
import { OidcClientAuthenticator } from '../oidc-provider/client-authenticator';
import { CodeExchange } from '../oidc-provider/code-exchange';
import { RedisJtiStore } from '../oidc-provider/jti-store';
import { RefreshGrant } from '../oidc-provider/refresh-grant';
import { TokenInspection } from '../oidc-provider/token-inspection';
import { TokenIssuer } from '../oidc-provider/token-issuer';
import { Userinfo } from '../oidc-provider/userinfo';
import { ProfileService } from '../profiles';
import { Clock } from '../shared/clock';
import { RandomSource } from '../shared/random';

export interface OidcTokenParts {
  config: Config;
  em: EntityManager;
  /** The login path's pool: the code exchange's two statements. */
  pool: SqlPool;
  clock: Clock;
  random: RandomSource;
  keys: KeyRing;
  audit: AuditService;
  profiles: ProfileService;
  tokens: OAuthTokenService;
  customers: { bySlug(slug: string): Promise<CustomerConfig | null> };
  clients: OidcClientLookup;
  signer: IdTokenSigner;
  redis: RedisClient;
}

/** The OpenID Connect token, revocation, introspection and UserInfo endpoints' service, from its parts. */
export function buildOidcTokenService(parts: OidcTokenParts): OidcTokenService {
  const { config, em, clock, random, keys, audit, profiles, tokens } = parts;
  const secretKeys = config.SECRET_KEYS;
  const issuer = new TokenIssuer({ em, clock, random, secretKeys, tokens, signer: parts.signer, audit, idTokenTtlSeconds: config.OIDC_ID_TOKEN_TTL_SECONDS });
  const grants = { em, clock, secretKeys, keys, audit, restrictions: profiles, issuer };
  return new OidcTokenService({
    customers: parts.customers,
    publicUrl: config.PUBLIC_URL,
    // Assertion ids live in the region's Redis beside its rate limits, under its queue prefix.
    authenticator: new OidcClientAuthenticator({ clients: parts.clients, clock, jtis: new RedisJtiStore(parts.redis, `${plainKeyPrefix(config.QUEUE_PREFIX)}:oidc-jti:`) }),
    codes: new CodeExchange({
      pool: parts.pool,
      clock,
      random,
      secretKeys,
      keys,
      audit,
      signer: parts.signer,
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      idTokenTtlSeconds: config.OIDC_ID_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: config.OIDC_REFRESH_TOKEN_TTL_SECONDS,
    }),
    refreshes: new RefreshGrant(grants),
    inspection: new TokenInspection({ em, clock, secretKeys, keys, audit }),
    userinfo: new Userinfo({ tokens, profiles }),
  });
}
