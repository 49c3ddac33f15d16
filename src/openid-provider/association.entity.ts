import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';

/**
 * An OpenID association (OpenID 2.0 §8), shared by every API instance. Handles are scoped to the
 * customer whose OP endpoint issued them: the same handle presented at another customer's
 * endpoint is unknown there.
 */
@Entity({ tableName: 'openid_association' })
@Index({ name: 'openid_association_source_index', properties: ['customer', 'sourceHash'] })
export class AssociationRecord {
  @ManyToOne(() => Customer, { primary: true, deleteRule: 'cascade', updateRule: 'cascade' })
  customer!: Customer;

  @PrimaryKey({ type: 'string', length: 255 })
  handle!: string;

  @Property({ type: 'string', length: 16 })
  assocType!: string;

  @Property({ type: 'blob' })
  secret!: Buffer;

  @Property({ type: 'boolean' })
  isPrivate!: boolean;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  issuedAt!: Date;

  /**
   * Shared associations only: a keyed hash of the customer and the address that asked for it (never
   * the address: personal data), so the live ones per address can be capped.
   */
  @Property({ type: 'string', length: 64, nullable: true })
  sourceHash?: string | null;

  @Index({ name: 'openid_association_expires_at_index' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;
}
