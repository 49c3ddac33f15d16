import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from './customer.entity';

/**
 * A customer's API key, stored only as a SHA-256 hash. The current key has no expiry; rotation
 * gives the previous key an `expiresAt` so AWs can switch over without failed postbacks.
 */
@Entity({ tableName: 'customer_api_key' })
export class CustomerApiKey {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade', index: 'customer_api_key_customer_id_index' })
  customer!: Customer;

  @Property({ type: 'string', length: 64, unique: 'customer_api_key_key_hash_unique' })
  keyHash!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Index({ name: 'customer_api_key_expires_at_index' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;
}
