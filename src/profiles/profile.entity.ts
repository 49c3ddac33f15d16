import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';

/** What a customer's AW told us about one of its users: the username and the nine sreg fields. */
@Entity({ tableName: 'profile' })
@Unique({ properties: ['customer', 'username'], name: 'profile_customer_username_unique' })
@Index({ properties: ['customer', 'lastSeenAt'], name: 'profile_customer_last_seen_index' })
export class Profile {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade' })
  customer!: Customer;

  @Property({ type: 'string', length: 255 })
  username!: string;

  @Property({ type: 'string', length: 1024, nullable: true }) nickname: string | null = null;
  @Property({ type: 'string', length: 1024, nullable: true }) email: string | null = null;
  @Property({ type: 'string', length: 1024, nullable: true }) fullname: string | null = null;
  @Property({ type: 'string', length: 1024, nullable: true }) dob: string | null = null;
  @Property({ type: 'string', length: 1024, nullable: true }) gender: string | null = null;
  @Property({ type: 'string', length: 1024, nullable: true }) postcode: string | null = null;
  @Property({ type: 'string', length: 1024, nullable: true }) country: string | null = null;
  @Property({ type: 'string', length: 1024, nullable: true }) language: string | null = null;
  @Property({ type: 'string', length: 1024, nullable: true }) timezone: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  lastSeenAt!: Date;

  /** Set while processing is restricted (GDPR art. 18): the values are kept but neither released nor shown. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  restrictedAt: Date | null = null;
}
