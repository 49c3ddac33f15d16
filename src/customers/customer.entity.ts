import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';

export enum Region {
  NA = 'NA',
  EU = 'EU',
  APAC = 'APAC',
}

/** What happens when an AW's postback omits `no_prompt` (docs/protocol.md#decision-no-prompt: missing means prompt). */
export enum PromptPolicy {
  PROMPT = 'PROMPT',
  NO_PROMPT = 'NO_PROMPT',
}

/**
 * Return-URL verification by RP discovery (OpenID 2.0 §9.2.1): whether a checkid's return_to is
 * checked against the XRDS its realm publishes, and what an unverified one means.
 */
export enum ReturnToVerification {
  /** No discovery; the request is recorded as SKIPPED. */
  OFF = 'OFF',
  /** Discover and record the outcome on the auth request; the sign-in goes on either way. */
  RECORD = 'RECORD',
  /** Discover; a return_to that is not VERIFIED gets an error page and no sign-in. */
  REQUIRE = 'REQUIRE',
}

/** A customer (tenant): one Authenticating Website that we turn into an OpenID provider. */
@Entity({ tableName: 'customer' })
@Index({ properties: ['createdAt', 'id'], name: 'customer_created_at_id_index' })
export class Customer {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 63, unique: 'customer_slug_unique' })
  slug!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 2048, nullable: true })
  homeUrl: string | null = null;

  @Property({ type: 'string', length: 2048 })
  verifyUrl!: string;

  @Enum({ items: () => Region, type: 'text' })
  region!: Region;

  @Enum({ items: () => PromptPolicy, type: 'text' })
  promptPolicy: PromptPolicy = PromptPolicy.PROMPT;

  @Property({ type: ArrayType, columnType: 'text[]', default: '{}' })
  trustedRealms: string[] = [];

  @Enum({ items: () => ReturnToVerification, type: 'text', default: ReturnToVerification.RECORD })
  returnToVerification: ReturnToVerification = ReturnToVerification.RECORD;

  /** Erase profiles not seen for this many days (see src/erasure); null keeps them. */
  @Property({ type: 'integer', nullable: true })
  profileRetentionDays: number | null = null;

  /** The privacy center's settings as stored (privacy-center-settings.ts reads them, with defaults for what is absent). */
  @Property({ type: 'json', default: '{}' })
  privacyCenter: Record<string, unknown> = {};

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
