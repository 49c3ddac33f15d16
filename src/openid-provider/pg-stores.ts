import { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import { Association, AssociationStore, AssocType, NonceStore } from '../openid';
import type { SqlPool } from '../db/sql-pool';
import { Clock } from '../shared/clock';
import { Sealer } from '../shared/sealed-box';

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
    // Sealed under an earlier SECRET_KEY (or altered): unusable, so treat the handle as unknown;
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

/**
 * The store `associate` uses, in the request's transaction (it counts and inserts under one lock).
 * Association store for one customer's OP endpoint, in PostgreSQL so every instance sees the same
 * associations (PROTOCOL.md §7.14). Plain SQL: each call is one statement, and `delete` is the
 * atomic single-use step of check_authentication. MAC keys are stored sealed under the server
 * secret and bound to (customer, handle), so a database dump cannot forge assertions.
 */
export class PgAssociationStore implements AssociationStore {
  /**
   * @param sourceHash keyed hash of the customer and the address asking, stored with the shared
   * associations this store saves (see `lockAndCountLiveShared`).
   */
  constructor(
    private readonly em: EntityManager,
    private readonly customerId: string,
    private readonly sealer: Sealer,
    private readonly sourceHash: string | null = null,
  ) {}


  async save(association: Association): Promise<void> {
    await this.em.execute(
      `insert into openid_association (customer_id, handle, assoc_type, secret, is_private, issued_at, expires_at, source_hash)
       values (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        this.customerId,
        association.handle,
        association.assocType,
        this.sealer.seal(association.secret, boundTo(this.customerId, association.handle)),
        association.isPrivate,
        association.issuedAt,
        association.expiresAt,
        association.isPrivate ? null : this.sourceHash,
      ],
    );
  }

  /**
   * Live shared associations of this store's source, counted under a transaction-scoped lock on
   * (customer, source): concurrent associate requests from one address then count and insert one
   * after another, so the cap holds exactly.
   */
  async lockAndCountLiveShared(now: Date): Promise<number> {
    if (this.sourceHash === null) throw new Error('lockAndCountLiveShared needs a store built with a source hash');
    await this.em.execute(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`openid_association:${this.customerId}:${this.sourceHash}`]);
    const [row] = await this.em.execute<Array<{ n: number }>>(
      `select count(*)::int as n from openid_association
       where customer_id = ? and source_hash = ? and is_private = false and expires_at > ?`,
      [this.customerId, this.sourceHash, now],
    );
    return row?.n ?? 0;
  }

  async find(handle: string, options: { readonly private: boolean }): Promise<Association | undefined> {
    const rows: AssociationRow[] = await this.em.execute(
      `select handle, assoc_type, secret, is_private, issued_at, expires_at from openid_association
       where customer_id = ? and handle = ? and is_private = ?`,
      [this.customerId, handle, options.private],
    );
    return unsealed(rows[0], this.sealer, this.customerId);
  }

  async delete(handle: string): Promise<boolean> {
    const rows: unknown[] = await this.em.execute(`delete from openid_association where customer_id = ? and handle = ? returning handle`, [this.customerId, handle]);
    return rows.length > 0;
  }
}

/**
 * The association store of the login path (checkid answers, check_authentication): each call is
 * one statement on the hot path's pool, a SQL function that enters the customer's scope itself.
 */
export class PooledAssociationStore implements AssociationStore {
  constructor(
    private readonly pool: SqlPool,
    private readonly customerId: string,
    private readonly sealer: Sealer,
  ) {}

  async save(association: Association): Promise<void> {
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
