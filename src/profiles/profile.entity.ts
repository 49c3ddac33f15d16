import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';

/** What a customer's AW told us about one of its users: the username and the nine sreg fields. */
@Entity({ tableName: 'profile' })
@Unique({ properties: ['customer', 'username'], name: 'profile_customer_username_unique' })
@Index({ properties: ['customer', 'lastSeenAt'], name: 'profile_customer_last_seen_index' })
@Unique({ properties: ['customer', 'usernameHash'], name: 'profile_customer_username_hash_unique' })
@Index({ properties: ['customer', 'emailHash'], name: 'profile_customer_email_hash_index' })
@Index({ name: 'profile_unsealed_index', properties: ['id'], expression: `create index "profile_unsealed_index" on "profile" ("id") where "unsealed"` })
export class Profile {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade' })
  customer!: Customer;

  /** Sealed under the person's key (`person.username:<person key id>`); clear only on a row written before encryption. */
  @Property({ type: 'text' })
  username!: string;

  /** Keyed hash of the username (the customer's lookup key): how the person is found. */
  @Property({ type: 'text', nullable: true })
  usernameHash: string | null = null;

  /** Keyed hash of the email, for exact-match searches. */
  @Property({ type: 'text', nullable: true })
  emailHash: string | null = null;

  /** The key the values are sealed under (keyring.person_key); null on a row not yet sealed. */
  @Property({ type: 'uuid', nullable: true })
  personKeyId: string | null = null;

  /** Keyed digests of the clear attribute values, so a postback can tell what changed without reading them. */
  @Property({ type: 'json', nullable: true })
  attributeDigests: Record<string, string> | null = null;

  /** Some value may still be in clear (written before encryption): the upgrade job seals it and clears this. */
  @Property({ type: 'boolean', default: false })
  unsealed: boolean = false;

  @Property({ type: 'text', nullable: true }) nickname: string | null = null;
  @Property({ type: 'text', nullable: true }) email: string | null = null;
  @Property({ type: 'text', nullable: true }) fullname: string | null = null;
  @Property({ type: 'text', nullable: true }) dob: string | null = null;
  @Property({ type: 'text', nullable: true }) gender: string | null = null;
  @Property({ type: 'text', nullable: true }) postcode: string | null = null;
  @Property({ type: 'text', nullable: true }) country: string | null = null;
  @Property({ type: 'text', nullable: true }) language: string | null = null;
  @Property({ type: 'text', nullable: true }) timezone: string | null = null;

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
