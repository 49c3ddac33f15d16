import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';

/**
 * An operator's personal access token, stored only as HMAC-SHA256(newest SECRET_KEYS version, token). Without a
 * customer it is platform-wide. Revoked and expired tokens keep their row as a record of who had
 * access when.
 */
@Entity({ tableName: 'operator_token' })
@Index({ properties: ['createdAt', 'id'], name: 'operator_token_created_at_id_index' })
export class OperatorToken {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 200 })
  name!: string;

  /** An OperatorRole value. */
  @Property({ type: 'string', length: 32 })
  role!: string;

  @ManyToOne(() => Customer, { nullable: true, deleteRule: 'cascade', updateRule: 'cascade', index: 'operator_token_customer_id_index' })
  customer: Customer | null = null;

  @Property({ type: 'string', length: 64, unique: 'operator_token_token_hash_unique' })
  tokenHash!: string;

  /** Who created it: `bootstrap-admin` or the id of the owner's operator token. */
  @Property({ type: 'string', length: 64 })
  createdBy!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;
}
