import { AddressInfo } from 'node:net';
import { MikroORM } from '@mikro-orm/postgresql';
import { Redis } from 'ioredis';
import { Config } from '../config';
import { pingDatabase } from '../db/open-database';
import { Database } from '../db/scope';
import { buildGraphqlSchema, createResolvers } from '../graphql/build-schema';
import { createHttpServer, HttpServer } from '../http/server';
import { AbuseGuard, auditLockout, CounterStore } from '../http/abuse';
import { Logger } from '../shared/logger';
import { StartupError } from '../shared/startup-error';
import { Services } from './build-services';

export interface ApiRoleDeps {
  config: Config;
  log: Logger;
  orm: MikroORM;
  db: Database;
  redis: Redis;
  services: Services;
}

/**
 * The API role: the GraphQL schema, the HTTP server with its abuse guard and readiness checks, and
 * the listener on HOST:PORT. Answers the server and the base URL it listens on; a port in use is
 * a StartupError (the server is stopped again first).
 */
export async function startApiRole({ config, log, orm, db, redis, services }: ApiRoleDeps): Promise<{ http: HttpServer; url: string }> {
  const schema = await buildGraphqlSchema(createResolvers(services, orm.em, config.PUBLIC_URL));
  const http = await createHttpServer({
    config,
    db,
    schema,
    log,
    provider: services.provider,
    discovery: services.discovery,
    identityFlow: services.identityFlow,
    oauthTokens: services.oauthTokens,
    oauthLoginCodes: services.oauthLoginCodes,
    exports: services.exports,
    operatorTokens: services.operatorTokens,
    abuse: new AbuseGuard(
      new CounterStore(redis, `${config.QUEUE_PREFIX}:abuse:`, log.child({ feature: 'abuse' })),
      {
        windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
        failureLimit: config.AUTH_FAILURE_LIMIT,
        failureWindowSeconds: config.AUTH_FAILURE_WINDOW_SECONDS,
        lockoutSeconds: config.AUTH_LOCKOUT_SECONDS,
        trustProxy: config.TRUST_PROXY,
      },
      auditLockout(db, services.audit),
    ),
    readiness: [
      { name: 'postgres', check: () => pingDatabase(orm) },
      { name: 'redis', check: async () => void (await redis.ping()) },
    ],
  });
  const server = http.server;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.PORT, config.HOST, () => resolve());
    });
  } catch (err) {
    await http.apollo.stop().catch(() => undefined);
    const code = (err as { code?: string }).code;
    throw code === 'EADDRINUSE' ? new StartupError(`port ${config.PORT} on ${config.HOST} is already in use; set PORT to a free one`) : err;
  }
  const address = server.address() as AddressInfo;
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  log.info({ url, publicUrl: config.PUBLIC_URL }, 'HTTP server listening');
  return { http, url };
}
