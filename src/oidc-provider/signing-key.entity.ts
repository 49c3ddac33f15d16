import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Customer } from '../customers/customer.entity';
import { ID_TOKEN_ALGS, IdTokenAlg } from '../oauth/oauth-client.entity';

/**
 * One of a customer's ID token signing keys. Published in the JWKS from `createdAt`, used for
 * signing from `activatesAt` (after clients had time to fetch it) until `retiresAt`, and published
 * until `expiresAt` (when no token it signed is still valid); the purge job deletes it then. The
 * private key is sealed under the customer's data key.
 */
@Entity({ tableName: 'oidc_signing_key' })
@Index({ properties: ['customer', 'alg', 'activatesAt'], name: 'oidc_signing_key_customer_index' })
export class OidcSigningKey {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { deleteRule: 'cascade', updateRule: 'cascade', index: false })
  customer!: Customer;

  @Property({ type: 'string', length: 64, unique: 'oidc_signing_key_kid_unique' })
  kid!: string;

  @Enum({ items: () => [...ID_TOKEN_ALGS], type: 'text' })
  alg!: IdTokenAlg;

  @Property({ type: 'json' })
  publicJwk!: Record<string, unknown>;

  /** The private JWK, sealed under the customer's data key (`oidc_signing_key.private_jwk:<id>`). */
  @Property({ type: 'text' })
  privateJwk!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  activatesAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  retiresAt: Date | null = null;

  @Index({ name: 'oidc_signing_key_expires_at_index' })
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  expiresAt: Date | null = null;
}
