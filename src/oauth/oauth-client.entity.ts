import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';

/**
 * An OAuth 2.0 confidential client of one customer. The secret is stored only as a SHA-256 hash;
 * a disabled client can neither get nor introspect tokens.
 */
@Entity({ tableName: 'oauth_client' })
@Index({ properties: ['customer', 'createdAt', 'id'], name: 'oauth_client_customer_created_index' })
export class OAuthClient {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 64, unique: 'oauth_client_client_id_unique' })
  clientId!: string;

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade' })
  customer!: Customer;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  scopes: string[] = [];

  @Property({ type: 'string', length: 64 })
  secretHash!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  disabledAt: Date | null = null;
}
