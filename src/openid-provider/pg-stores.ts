import { EntityManager } from '@mikro-orm/postgresql';
import { Association, AssociationStore, AssocType, NonceStore } from '../openid';
import { Sealer } from '../shared/sealed-box';

interface AssociationRow {
  handle: string;
  assoc_type: string;
  secret: Buffer;
  is_private: boolean;
  issued_at: Date;
  expires_at: Date;
}

/**
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

  private boundTo(handle: string): string {
    return `${this.customerId}\n${handle}`;
  }

  async save(association: Association): Promise<void> {
    await this.em.execute(
      `insert into openid_association (customer_id, handle, assoc_type, secret, is_private, issued_at, expires_at, source_hash)
       values (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        this.customerId,
        association.handle,
        association.assocType,
        this.sealer.seal(association.secret, this.boundTo(association.handle)),
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
    const row = rows[0];
    if (!row) return undefined;
    let secret: Buffer;
    try {
      secret = this.sealer.open(row.secret, this.boundTo(row.handle));
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

  async delete(handle: string): Promise<boolean> {
    const rows: unknown[] = await this.em.execute(`delete from openid_association where customer_id = ? and handle = ? returning handle`, [this.customerId, handle]);
    return rows.length > 0;
  }
}

/** Used response nonces of one customer's OP endpoint; the primary key makes `markUsed` atomic. */
export class PgNonceStore implements NonceStore {
  constructor(
    private readonly em: EntityManager,
    private readonly customerId: string,
  ) {}

  async markUsed(_endpoint: string, nonce: string, expiresAt: Date): Promise<boolean> {
    const rows: unknown[] = await this.em.execute(
      `insert into openid_nonce (customer_id, nonce, expires_at) values (?, ?, ?)
       on conflict (customer_id, nonce) do nothing returning nonce`,
      [this.customerId, nonce, expiresAt],
    );
    return rows.length > 0;
  }
}
