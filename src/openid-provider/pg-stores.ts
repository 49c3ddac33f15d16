import { LRUCache } from 'lru-cache';
import { Association, AssociationStore, AssocType, NonceStore } from '../openid';
import type { SqlPool } from '../db/sql-pool';
import { Clock } from '../shared/clock';
import { Sealer } from '../shared/sealed-box';
import { AssociationLimitError } from './provider.errors';

interface AssociationRow {
  handle: string;
  assoc_type: string;
  secret: Buffer;
  is_private: boolean;
  issued_at: Date;
  expires_at: Date;
}

/** What a MAC key is sealed to: its customer and handle. */
function boundTo(customerId: string, handle: string): string {
  return `${customerId}\n${handle}`;
}

/** The association a stored row holds, or undefined when there is none or its key cannot be opened. */
function unsealed(row: AssociationRow | undefined, sealer: Sealer, customerId: string): Association | undefined {
  if (!row) return undefined;
  let secret: Buffer;
  try {
    secret = sealer.open(row.secret, boundTo(customerId, row.handle));
  } catch {
    // Sealed under a SECRET_KEYS version no longer listed (or altered): unusable, so treat the handle as unknown;
    // the OP then signs privately and tells the RP to drop it (invalidate_handle).
    return undefined;
  }
  return {
    handle: row.handle,
    assocType: row.assoc_type as AssocType,
    secret,
    isPrivate: row.is_private,
    issuedAt: new Date(row.issued_at),
    expiresAt: new Date(row.expires_at),
  };
}

/** For `associate`: who is asking (a keyed hash of customer and address) and how many live shared associations they may hold. */
export interface SharedAssociationQuota {
  sourceHash: string;
  maxLive: number;
}

/**
 * The OP endpoint's association store, in PostgreSQL so every instance sees the same associations
 * (docs/protocol.md#security-shared-state). Each call is one statement on the hot path's pool, a SQL function that
 * enters the customer's scope itself; `delete` is the atomic single-use step of
 * check_authentication. MAC keys are stored sealed under the server secret and bound to
 * (customer, handle), so a database dump cannot forge assertions.
 *
 * Built with a quota (for `associate`), it stores shared associations only within it: a live
 * count before the Diffie-Hellman exchange (`liveShared`) refuses at no cost, and the insert
 * counts again under a lock on (customer, source), so concurrent requests cannot pass the cap.
 */
export class PooledAssociationStore implements AssociationStore {
  constructor(
    private readonly pool: SqlPool,
    private readonly customerId: string,
    private readonly sealer: Sealer,
    private readonly quota: SharedAssociationQuota | null = null,
  ) {}

  /** Live shared associations of the quota's source. */
  async liveShared(now: Date): Promise<number> {
    if (!this.quota) throw new Error('liveShared needs a store built with a quota');
    const { rows } = await this.pool.query<{ n: number }>({
      name: 'ids_association_live_count',
      text: 'select ids_association_live_count($1, $2, $3) as n',
      values: [this.customerId, this.quota.sourceHash, now],
    });
    return rows[0]?.n ?? 0;
  }

  async save(association: Association): Promise<void> {
    if (this.quota && !association.isPrivate) {
      const { rows } = await this.pool.query<{ stored: boolean }>({
        name: 'ids_association_save_shared',
        text: 'select ids_association_save_shared($1, $2, $3, $4, $5, $6, $7, $8) as stored',
        values: [
          this.customerId,
          association.handle,
          association.assocType,
          this.sealer.seal(association.secret, boundTo(this.customerId, association.handle)),
          association.issuedAt,
          association.expiresAt,
          this.quota.sourceHash,
          this.quota.maxLive,
        ],
      });
      if (rows[0]?.stored !== true) throw new AssociationLimitError();
      return;
    }
    await this.pool.query({
      name: 'ids_association_save',
      text: 'select ids_association_save($1, $2, $3, $4, $5, $6, $7, $8)',
      values: [
        this.customerId,
        association.handle,
        association.assocType,
        this.sealer.seal(association.secret, boundTo(this.customerId, association.handle)),
        association.isPrivate,
        association.issuedAt,
        association.expiresAt,
        null,
      ],
    });
  }

  async find(handle: string, options: { readonly private: boolean }): Promise<Association | undefined> {
    const { rows } = await this.pool.query<AssociationRow>({
      name: 'ids_association_find',
      text: 'select handle, assoc_type, secret, is_private, issued_at, expires_at from ids_association_find($1, $2, $3)',
      values: [this.customerId, handle, options.private],
    });
    return unsealed(rows[0], this.sealer, this.customerId);
  }

  async delete(handle: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ deleted: boolean }>({
      name: 'ids_association_delete',
      text: 'select ids_association_delete($1, $2) as deleted',
      values: [this.customerId, handle],
    });
    return rows[0]?.deleted === true;
  }
}

/** Used response nonces on the hot path's pool, one statement per check. */
export class PooledNonceStore implements NonceStore {
  constructor(
    private readonly pool: SqlPool,
    private readonly customerId: string,
  ) {}

  async markUsed(_endpoint: string, nonce: string, expiresAt: Date): Promise<boolean> {
    const { rows } = await this.pool.query<{ fresh: boolean }>({
      name: 'ids_nonce_mark_used',
      text: 'select ids_nonce_mark_used($1, $2, $3) as fresh',
      values: [this.customerId, nonce, expiresAt],
    });
    return rows[0]?.fresh === true;
  }
}

/**
 * Shared associations, cached in the process (issue 15): an association never changes once made,
 * so every checkid signed with it would read the same row. An entry lives until the association
 * expires or `maxAgeMs` passes, whichever is first, and goes at once when a shared association of
 * its customer is deleted anywhere (the `association:<customer>` change notification). Private
 * associations are single-use and never cached; unknown handles are not cached either.
 */
export class SharedAssociationCache {
  private readonly cache: LRUCache<string, { association: Association; until: number }>;
  /** Bumped by each invalidation: a read that started before it is answered but not kept. */
  private generation = 0;

  constructor(
    private readonly clock: Clock,
    private readonly maxAgeMs: number,
    maxEntries: number,
  ) {
    this.cache = new LRUCache({ max: maxEntries });
  }

  /** `store`, with its shared-association reads answered from this cache. */
  wrap(customerId: string, store: AssociationStore): AssociationStore {
    return {
      save: (association) => store.save(association),
      delete: async (handle) => {
        this.cache.delete(key(customerId, handle));
        return store.delete(handle);
      },
      find: async (handle, options) => {
        if (options.private) return store.find(handle, options);
        const now = this.clock.now().getTime();
        const cached = this.cache.get(key(customerId, handle));
        if (cached && now < cached.until) return cached.association;
        const generation = this.generation;
        const association = await store.find(handle, options);
        if (association && generation === this.generation) {
          this.cache.set(key(customerId, handle), { association, until: Math.min(association.expiresAt.getTime(), now + this.maxAgeMs) });
        }
        return association;
      },
    };
  }

  /** A change notification: `association:<customer id>`, `association:*`, or `reset`. */
  onChange(change: string): void {
    if (change !== 'reset' && !change.startsWith('association:')) return;
    this.generation += 1;
    const customerId = change.slice('association:'.length);
    if (change === 'reset' || customerId === '*') {
      this.cache.clear();
      return;
    }
    for (const k of [...this.cache.keys()]) if (k.startsWith(`${customerId}\n`)) this.cache.delete(k);
  }
}

function key(customerId: string, handle: string): string {
  return `${customerId}\n${handle}`;
}
