import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';

/**
 * A response nonce that has been verified once through check_authentication (OpenID 2.0 §11.4.2.1).
 * The primary key is the single-use guard: a second insert of the same nonce fails.
 */
@Entity({ tableName: 'openid_nonce' })
export class UsedNonce {
  @ManyToOne(() => Customer, { primary: true, deleteRule: 'cascade', updateRule: 'cascade' })
  customer!: Customer;

  @PrimaryKey({ type: 'string', length: 255 })
  nonce!: string;

  @Index({ name: 'openid_nonce_expires_at_index' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;
}
