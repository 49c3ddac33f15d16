import { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import { OAuthClient } from '../../oauth';
import { Clock } from '../../shared/clock';
import { isUuid } from '../../shared/ids';
import type { OidcClientLookup, RegisteredClient } from '../registered-client';
import { customerScope, Database } from '../../db/scope';

export interface OidcClientsSettings {
  /** The safety net: an entry is read again after this long even when no change was notified. */
  maxAgeMs: number;
  /** (customer, client_id) pairs held, unknown ones included; least recently used dropped first. */
  maxEntries: number;
}

/** The change-feed prefix the oauth_client trigger notifies with (OpenIdConnect migration), followed by the customer's id. */
const CHANGE_PREFIX = 'oidc_client:';

/**
 * A customer's enabled OpenID Connect clients by client_id, cached in the process: the authorize and
 * token endpoints read them on every request, and they change rarely. Any change to a customer's
 * oauth_client rows notifies every instance (`oidc_client:<customer id>`), which drops that
 * customer's entries; `customer` and `reset` drop all of them, and `maxAgeMs` bounds what a lost
 * notification could leave. Unknown ids are cached too (as null), so a flood of made-up client_ids
 * costs one query each per max age. A load that an invalidation overtook is answered but not kept.
 *
 * `find` reads through the current unit of work (`db.run` with the customer's scope, as the
 * `/c/{slug}/oidc/*` routes open it): one statement, limited to that customer explicitly as well
 * as by row-level security.
 */
export class OidcClients implements OidcClientLookup {
  private readonly cache: LRUCache<string, { value: RegisteredClient | null; loadedAt: number }>;
  /** Bumped by each invalidation: a load that started before it is not kept. */
  private generation = 0;

  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly settings: OidcClientsSettings,
    /** When given, a miss is read in a transaction of its own scoped to the customer (callers outside any unit of work, like the authorization endpoint). */
    private readonly db?: Database,
  ) {
    this.cache = new LRUCache({ max: settings.maxEntries });
  }

  async find(customerId: string, clientId: string): Promise<RegisteredClient | null> {
    if (!isUuid(customerId) || clientId.length === 0 || clientId.length > 64) return null;
    const key = `${customerId.toLowerCase()}:${clientId}`;
    const cached = this.cache.get(key);
    const now = this.clock.now().getTime();
    if (cached && now - cached.loadedAt < this.settings.maxAgeMs) return cached.value;
    const generation = this.generation;
    const read = () => this.em.findOne(OAuthClient, { customer: customerId.toLowerCase(), clientId, kind: 'OIDC', disabledAt: null });
    const row = this.db ? await this.db.run(customerScope(customerId.toLowerCase()), read) : await read();
    const value = row === null ? null : registered(row);
    if (generation === this.generation) this.cache.set(key, { value, loadedAt: now });
    return value;
  }

  /** What the change feed says (db/change-feed.ts): drops what it may have made stale. */
  onChange(change: string): void {
    if (change.startsWith(CHANGE_PREFIX)) this.forgetCustomer(change.slice(CHANGE_PREFIX.length));
    else if (change === 'customer' || change === 'reset') this.forgetAll();
  }

  forgetCustomer(customerId: string): void {
    this.generation += 1;
    const prefix = `${customerId.toLowerCase()}:`;
    for (const key of [...this.cache.keys()]) if (key.startsWith(prefix)) this.cache.delete(key);
  }

  forgetAll(): void {
    this.generation += 1;
    this.cache.clear();
  }
}

/** The row as the endpoints see it: a frozen copy, so no caller can change what the next one reads. */
function registered(row: OAuthClient): RegisteredClient {
  return Object.freeze({
    id: row.id,
    clientId: row.clientId,
    customerId: row.customer.id,
    name: row.name,
    logoUri: row.logoUri,
    redirectUris: Object.freeze([...row.redirectUris]),
    postLogoutRedirectUris: Object.freeze([...row.postLogoutRedirectUris]),
    scopes: Object.freeze([...row.scopes]),
    tokenEndpointAuthMethod: row.tokenEndpointAuthMethod,
    jwks: row.jwks === null ? null : Object.freeze({ keys: Object.freeze(row.jwks.keys.map((key) => Object.freeze({ ...key }))) }),
    idTokenSignedResponseAlg: row.idTokenSignedResponseAlg,
    backchannelLogoutUri: row.backchannelLogoutUri,
    secretHash: row.secretHash,
  });
}
