import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';
import { Profile } from '../profiles';

/**
 * The life of an export (issue #6, portability):
 *
 *   PENDING ──worker builds the document──▶ READY ──EXPORT_TTL_SECONDS later, purged──▶ EXPIRED
 *      └──────────── every attempt failed ──▶ FAILED
 */
export enum ProfileExportStatus {
  PENDING = 'PENDING',
  READY = 'READY',
  EXPIRED = 'EXPIRED',
  FAILED = 'FAILED',
}

/**
 * One request for a person's data. The document is kept only sealed (AES-256-GCM under the
 * person's key, bound to this row's id: erasing them makes it unreadable, in every backup too;
 * one built before encryption, under a key derived from SECRET_KEYS), and only until `expiresAt`; the row itself
 * holds no personal value, so it stays as a receipt after the purge.
 */
@Entity({ tableName: 'profile_export' })
@Index({ name: 'profile_export_pending_index', properties: ['id'], expression: `create index "profile_export_pending_index" on "profile_export" ("requested_at") where "status" = 'PENDING'` })
export class ProfileExport {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade', index: 'profile_export_customer_id_index' })
  customer!: Customer;

  /** Erasing the person removes their exports with them. */
  @ManyToOne(() => Profile, { deleteRule: 'cascade', updateRule: 'cascade', index: 'profile_export_profile_id_index' })
  profile!: Profile;

  @Enum({ items: () => ProfileExportStatus, type: 'text' })
  status: ProfileExportStatus = ProfileExportStatus.PENDING;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  requestedAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  readyAt: Date | null = null;

  /** When the download stops working and the document is purged; set once it is ready. */
  @Index({ name: 'profile_export_expires_at_index' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  purgedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  failedAt: Date | null = null;

  @Property({ type: 'integer', default: 0 })
  attempts = 0;

  /**
   * Made for the person's own access request (GDPR art. 15): the one way a restricted person's data
   * leaves, audited with that purpose. Other exports of a restricted profile hold only the id and the flag.
   */
  @Property({ type: 'boolean', default: false })
  isSubjectAccessRequest = false;

  /** The person key the document is sealed under; null until ready, and for a document sealed before encryption. */
  @Property({ type: 'uuid', nullable: true })
  personKeyId: string | null = null;

  /** The sealed JSON document (see export-values.ts); null until ready and after the purge. */
  @Property({ type: 'blob', columnType: 'bytea', nullable: true, lazy: true })
  document: Buffer | null = null;
}
