import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';

/**
 * A user's answer on the consent page: which fields they let one realm see. A remembered, still
 * valid ALLOW skips the consent page next time for the same (user, realm).
 */
@Entity({ tableName: 'consent_decision' })
@Index({ properties: ['customer', 'username', 'realm'], name: 'consent_decision_subject_index' })
@Index({ properties: ['customer', 'usernameHash', 'realm'], name: 'consent_decision_subject_hash_index' })
// Serves one customer's decisions by time: the dashboard's approve/deny chart (consent-stats.repository.ts) and newest-first pages.
@Index({ properties: ['customer', 'decidedAt', 'id'], name: 'consent_decision_customer_decided_index' })
@Index({ name: 'consent_decision_unsealed_index', properties: ['id'], expression: `create index "consent_decision_unsealed_index" on "consent_decision" ("id") where "person_key_id" is null` })
export class ConsentDecision {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade' })
  customer!: Customer;

  /** Sealed under the person's key (clear only on a decision stored before encryption). */
  @Property({ type: 'text' })
  username!: string;

  @Property({ type: 'text', nullable: true })
  usernameHash: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  personKeyId: string | null = null;

  @Property({ type: 'text' })
  realm!: string;

  /** ALLOW or DENY. */
  @Property({ type: 'string', length: 8 })
  decision!: string;

  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  grantedFields: string[] = [];

  @Property({ type: 'boolean' })
  isRemembered!: boolean;

  /** The authentication request it answered (null once that request is purged). */
  @Property({ type: 'uuid', nullable: true })
  authRequestId: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  decidedAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;
}
