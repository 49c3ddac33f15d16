import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';
import { OAuthClient } from '../oauth/oauth-client.entity';

/**
 * A refresh token of an OpenID Connect grant, stored only as its keyed hash. Each use spends it
 * (`usedAt`) and issues the next one of the same grant; a spent token presented again revokes
 * the whole grant, refresh and access tokens alike (reuse detection, RFC 9700 §4.14.2).
 */
@Entity({ tableName: 'oauth_refresh_token' })
@Index({ properties: ['customer', 'grantId'], name: 'oauth_refresh_token_grant_index' })
@Index({ properties: ['customer', 'subjectHash'], name: 'oauth_refresh_token_subject_hash_index' })
export class OAuthRefreshToken {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 64, unique: 'oauth_refresh_token_token_hash_unique' })
  tokenHash!: string;

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade', index: 'oauth_refresh_token_customer_id_index' })
  customer!: Customer;

  @ManyToOne(() => OAuthClient, { deleteRule: 'cascade', updateRule: 'cascade', index: 'oauth_refresh_token_client_id_index' })
  client!: OAuthClient;

  @Property({ type: 'uuid' })
  grantId!: string;

  /** The user, sealed under their key (`oauth_refresh_token.subject:<id>`). */
  @Property({ type: 'text' })
  subject!: string;

  @Property({ type: 'text', nullable: true })
  subjectHash: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  personKeyId: string | null = null;

  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  scopes: string[] = [];

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  authTime: Date | null = null;

  @Property({ type: 'text', nullable: true })
  acr: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  issuedAt!: Date;

  @Index({ name: 'oauth_refresh_token_expires_at_index' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  usedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;
}
