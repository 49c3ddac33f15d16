import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';
import { OAuthAccessToken } from './access-token.entity';

/**
 * A one-time login code handed to the RP in the positive assertion (`openid.ids.code`), stored only
 * as HMAC-SHA256(newest SECRET_KEYS version, code). It is bound to the customer, the user (AW username) and the
 * fields the user released; `usedAt` and `accessToken` record its one exchange, so a replay can
 * revoke the token it produced (RFC 6749 §4.1.2). The purge job deletes it once expired.
 */
@Entity({ tableName: 'oauth_login_code' })
@Index({ name: 'oauth_login_code_unsealed_index', properties: ['id'], expression: `create index "oauth_login_code_unsealed_index" on "oauth_login_code" ("id") where "person_key_id" is null` })
export class OAuthLoginCode {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 64, unique: 'oauth_login_code_code_hash_unique' })
  codeHash!: string;

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade', index: 'oauth_login_code_customer_id_index' })
  customer!: Customer;

  /** Sealed under the person's key (clear only on a code issued before encryption). */
  @Property({ type: 'text' })
  username!: string;

  @Property({ type: 'text', nullable: true })
  usernameHash: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  personKeyId: string | null = null;

  /** The sreg field names the user released in that sign-in; the token gets `profile.<field>` for each. */
  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  fields: string[] = [];

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  issuedAt!: Date;

  @Index({ name: 'oauth_login_code_expires_at_index' })
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  usedAt: Date | null = null;

  /** The token issued from this code; revoked when the code is presented again. */
  @ManyToOne(() => OAuthAccessToken, { nullable: true, deleteRule: 'set null', updateRule: 'cascade', index: 'oauth_login_code_access_token_id_index' })
  accessToken: OAuthAccessToken | null = null;
}
