import { ArrayType, Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';
import { OAuthClient } from '../oauth/oauth-client.entity';

/**
 * A one-time OpenID Connect authorization code, stored only as HMAC-SHA256(newest SECRET_KEYS
 * version, code), written by the completion step of the sign-in (`ids_flow_complete`). It carries
 * what the token endpoint checks and needs: the client, the request as the client made it
 * (redirect URI, PKCE challenge, nonce, scopes), the user (sealed as a login code's) and the fields
 * they released. Its id is the grant every token issued from it names (`grantId`).
 */
@Entity({ tableName: 'oidc_code' })
@Index({ properties: ['customer', 'usernameHash'], name: 'oidc_code_subject_index' })
export class OidcCode {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string', length: 64, unique: 'oidc_code_code_hash_unique' })
  codeHash!: string;

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade', index: 'oidc_code_customer_id_index' })
  customer!: Customer;

  @ManyToOne(() => OAuthClient, { deleteRule: 'cascade', updateRule: 'cascade', index: 'oidc_code_client_id_index' })
  client!: OAuthClient;

  @Property({ type: 'uuid', nullable: true })
  authRequestId: string | null = null;

  /** Sealed under the person's key, bound to the key (`person.username:<key id>`). */
  @Property({ type: 'text' })
  username!: string;

  @Property({ type: 'text', nullable: true })
  usernameHash: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  personKeyId: string | null = null;

  /** The sreg field names the user released in that sign-in. */
  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  fields: string[] = [];

  /** The authorization request as stored at its start (oidc/authorization-request.ts, StoredAuthorization). */
  @Property({ type: 'json' })
  request!: Record<string, unknown>;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  authTime: Date | null = null;

  @Property({ type: ArrayType, columnType: 'text[]', nullable: true })
  authPolicies: string[] | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  issuedAt!: Date;

  @Index({ name: 'oidc_code_expires_at_index' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  usedAt: Date | null = null;
}
