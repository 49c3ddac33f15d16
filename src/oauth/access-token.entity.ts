import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';
import { OAuthClient } from './oauth-client.entity';

/**
 * An issued access token, stored only as HMAC-SHA256(newest SECRET_KEYS version, token). Revoked tokens keep their
 * row (with `revokedAt`) until they expire; the purge job then deletes them.
 */
@Entity({ tableName: 'oauth_access_token' })
@Index({ properties: ['customer', 'subjectHash'], name: 'oauth_access_token_subject_hash_index' })
@Index({ properties: ['customer', 'grantId'], name: 'oauth_access_token_grant_index' })
export class OAuthAccessToken {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 64, unique: 'oauth_access_token_token_hash_unique' })
  tokenHash!: string;

  @ManyToOne(() => OAuthClient, { deleteRule: 'cascade', updateRule: 'cascade', index: 'oauth_access_token_client_id_index' })
  client!: OAuthClient;

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade', index: 'oauth_access_token_customer_id_index' })
  customer!: Customer;

  /**
   * The AW username the token is limited to (tokens from a login code); null for client credentials.
   * Sealed under the person's key (`oauth_access_token.subject:<id>`); clear only on a token issued before encryption.
   */
  @Property({ type: 'text', nullable: true })
  subject: string | null = null;

  /** Keyed hash of the subject's username (the customer's lookup key): how a person's tokens are found. */
  @Property({ type: 'text', nullable: true })
  subjectHash: string | null = null;

  /** The key `subject` is sealed under; null on a token issued before encryption (or without a subject). */
  @Property({ type: 'uuid', nullable: true })
  personKeyId: string | null = null;

  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  scopes: string[] = [];

  /** The OpenID Connect grant (its authorization code's id) the token descends from: a replayed code or a reused refresh token revokes it. */
  @Property({ type: 'uuid', nullable: true })
  grantId: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  issuedAt!: Date;

  @Index({ name: 'oauth_access_token_expires_at_index' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;
}
