import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';
import { OAuthClient } from './oauth-client.entity';

/**
 * An issued access token, stored only as HMAC-SHA256(newest SECRET_KEYS version, token). Revoked tokens keep their
 * row (with `revokedAt`) until they expire; the purge job then deletes them.
 */
@Entity({ tableName: 'oauth_access_token' })
export class OAuthAccessToken {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 64, unique: 'oauth_access_token_token_hash_unique' })
  tokenHash!: string;

  @ManyToOne(() => OAuthClient, { deleteRule: 'cascade', updateRule: 'cascade', index: 'oauth_access_token_client_id_index' })
  client!: OAuthClient;

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade', index: 'oauth_access_token_customer_id_index' })
  customer!: Customer;

  /** The AW username the token is limited to (tokens from a login code); null for client credentials. */
  @Property({ type: 'string', length: 255, nullable: true })
  subject: string | null = null;

  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  scopes: string[] = [];

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  issuedAt!: Date;

  @Index({ name: 'oauth_access_token_expires_at_index' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;
}
