import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Clock } from '../shared/clock';
import { RandomSource } from '../shared/random';
import { afterCursor, checkPageSize, Page, toPage } from '../shared/pagination';
import { ValidationError } from '../shared/errors';
import { canSee, Tenant } from '../shared/tenant';
import { Customer, PromptPolicy, Region, ReturnToVerification } from './customer.entity';
import { CustomerApiKey } from './customer-api-key.entity';
import { generateApiKey, hashApiKey } from './api-key';
import { apiKeyHashMatches } from './api-key.repository';
import { CustomerNotFoundError, RegionChangeRefusedError, RegionNotServedError, SlugTakenError } from './customer.errors';
import { validateName, validateRetentionDays, validateSlug, validateTrustedRealms, validateUrl } from './customer.validation';
import { isUuid } from '../shared/ids';
import { AuditService } from '../audit';

export interface CreateCustomerCommand {
  slug: string;
  name: string;
  homeUrl?: string | null;
  verifyUrl: string;
  region: Region;
  promptPolicy?: PromptPolicy;
  trustedRealms?: string[];
  returnToVerification?: ReturnToVerification;
  profileRetentionDays?: number | null;
}

export type UpdateCustomerCommand = Partial<Omit<CreateCustomerCommand, 'slug'>>;

export interface CustomerWithKey {
  customer: Customer;
  /** The API key in clear; returned only here, never stored. */
  apiKey: string;
}

/**
 * Data residency (issue 18): the region this service's database is in, the regions the deployment
 * serves, and the customer directory a new customer's slug is claimed in (globally unique).
 */
export interface CustomerResidency {
  region: Region;
  served: readonly Region[];
  claim(entry: { customerId: string; slug: string; region: Region }): Promise<boolean>;
  release(customerId: string, region: Region): Promise<void>;
}

export interface CustomerServiceDeps {
  /** Where this service's data lives; without it (tests of the service alone), any region is accepted and nothing is claimed. */
  residency?: CustomerResidency;
  em: EntityManager;
  clock: Clock;
  random: RandomSource;
  apiKeyRotationGraceSeconds: number;
  audit: AuditService;
  /**
   * Called when a customer row was created or changed, inside the unit of work that did it: drops
   * this instance's cached configuration once that commits (other instances hear of it from
   * PostgreSQL, see db/change-feed.ts), so this instance never answers from the old one.
   */
  onConfigChanged?: () => void;
}

/** Customer configuration: the tenants whose websites we turn into OpenID providers. */
export class CustomerService {
  constructor(private readonly deps: CustomerServiceDeps) {}

  /** Validates everything first, then writes the customer and its first API key in one transaction. */
  async createCustomer(command: CreateCustomerCommand): Promise<CustomerWithKey> {
    const slug = validateSlug(command.slug);
    const fields = this.validateFields(command);
    const residency = this.deps.residency;
    if (residency && fields.region !== residency.region) {
      if (!residency.served.includes(fields.region!)) throw new RegionNotServedError(fields.region!, residency.served);
      throw new ValidationError('region', `this operation ran in region ${residency.region}, not ${fields.region}`);
    }
    const now = this.deps.clock.now();
    this.deps.onConfigChanged?.();
    const id = randomUUID();
    let claimed = false;
    try {
      return await this.deps.em.transactional(async (em) => {
        if (await em.count(Customer, { slug })) throw new SlugTakenError(slug);
        // The slug is unique across every region: the directory decides, before anything is written.
        if (residency) {
          claimed = await residency.claim({ customerId: id, slug, region: residency.region });
          if (!claimed) throw new SlugTakenError(slug);
        }
        const customer = em.create(Customer, {
          id,
          slug,
          name: fields.name!,
          homeUrl: fields.homeUrl ?? null,
          verifyUrl: fields.verifyUrl!,
          region: fields.region!,
          promptPolicy: fields.promptPolicy ?? PromptPolicy.PROMPT,
          trustedRealms: fields.trustedRealms ?? [],
          returnToVerification: fields.returnToVerification ?? ReturnToVerification.RECORD,
          profileRetentionDays: fields.profileRetentionDays ?? null,
          createdAt: now,
          updatedAt: now,
        });
        const apiKey = this.issueKey(em, customer, now);
        // The event's row refers to the customer's: write that first.
        await em.flush();
        await this.deps.audit.record({
          customerId: customer.id,
          action: 'customer.created',
          target: { type: 'customer', id: customer.id },
          details: { settings: settingsOf(customer) },
        });
        return { customer, apiKey };
      });
    } catch (err) {
      if (claimed) await residency?.release(id, residency.region);
      // Two concurrent creations with one slug: the unique index decides, and the loser is told why.
      if (err instanceof UniqueConstraintViolationException) throw new SlugTakenError(slug);
      throw err;
    }
  }

  /**
   * Changes only the fields given; a field given as null clears it where that is allowed. Another
   * tenant's customer is not found.
   */
  async updateCustomer(id: string, command: UpdateCustomerCommand, tenant: Tenant): Promise<Customer> {
    const fields = this.validateFields(command);
    this.deps.onConfigChanged?.();
    return this.deps.em.transactional(async (em) => {
      const customer = await em.findOne(Customer, { id: this.checkId(id, tenant) });
      if (!customer) throw new CustomerNotFoundError(id);
      // Naming the region it already has changes nothing; naming another is refused (issue 18).
      if (fields.region !== undefined && fields.region !== customer.region) throw new RegionChangeRefusedError(customer.region, fields.region);
      const before = settingsOf(customer);
      em.assign(customer, { ...fields, updatedAt: this.deps.clock.now() });
      const after = settingsOf(customer);
      const changed = Object.keys(after).filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
      if (changed.length > 0) {
        await this.deps.audit.record({
          customerId: customer.id,
          action: 'customer.updated',
          target: { type: 'customer', id: customer.id },
          details: { changed: Object.fromEntries(changed.map((key) => [key, { old: before[key], new: after[key] }])) },
        });
      }
      return customer;
    });
  }

  /**
   * Issues a new key. The previous one keeps working for the configured grace period, so an AW can
   * switch without failed postbacks; keys already on their way out keep their earlier expiry.
   */
  async rotateCustomerApiKey(id: string, tenant: Tenant): Promise<CustomerWithKey & { previousKeysExpireAt: Date }> {
    const now = this.deps.clock.now();
    return this.deps.em.transactional(async (em) => {
      const customer = await em.findOne(Customer, { id: this.checkId(id, tenant) }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!customer) throw new CustomerNotFoundError(id);
      const graceEnds = new Date(now.getTime() + this.deps.apiKeyRotationGraceSeconds * 1000);
      await em.nativeUpdate(CustomerApiKey, { customer, expiresAt: null }, { expiresAt: graceEnds });
      const apiKey = this.issueKey(em, customer, now);
      customer.updatedAt = now;
      await this.deps.audit.record({
        customerId: customer.id,
        action: 'customer.api_key_rotated',
        target: { type: 'customer', id: customer.id },
        details: { previousKeysExpireAt: graceEnds.toISOString() },
      });
      return { customer, apiKey, previousKeysExpireAt: graceEnds };
    });
  }

  /** The customer with this id, or null; a malformed id or one `tenant` may not see throws CustomerNotFoundError. */
  async findById(id: string, tenant: Tenant): Promise<Customer | null> {
    return this.deps.em.findOne(Customer, { id: this.checkId(id, tenant) });
  }

  /** The customer a protocol URL names (`/c/{slug}/...`); not for API callers, who use findVisibleBySlug. */
  async findBySlug(slug: string): Promise<Customer | null> {
    // A request to /c/{slug}/ entered its customer with the row already (Database.forSlug): reuse it.
    for (const entity of this.deps.em.getUnitOfWork().getIdentityMap()) {
      if (entity instanceof Customer && entity.slug === slug) return entity;
    }
    return this.deps.em.findOne(Customer, { slug });
  }

  /** The customer with this slug when `tenant` may see it, else null. */
  async findVisibleBySlug(slug: string, tenant: Tenant): Promise<Customer | null> {
    return this.deps.em.findOne(Customer, { slug, ...(tenant.kind === 'customer' ? { id: tenant.customerId } : {}) });
  }

  /** Customers `tenant` may see, oldest first, `first` at a time, after an opaque cursor. */
  async listCustomers(first: number, after: string | null | undefined, tenant: Tenant): Promise<Page<Customer>> {
    checkPageSize(first);
    const where = { ...afterCursor(after, 'createdAt', 'asc'), ...(tenant.kind === 'customer' ? { id: tenant.customerId } : {}) };
    const rows = await this.deps.em.find(Customer, where, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: first + 1 });
    return toPage(rows, first);
  }

  /**
   * True when `apiKey` is the customer's current key or a rotated-out key still in its grace period.
   * Compared in PostgreSQL: the service's role cannot read key hashes.
   */
  async verifyApiKey(customerId: string, apiKey: string): Promise<boolean> {
    return apiKeyHashMatches(this.deps.em, customerId, hashApiKey(apiKey), this.deps.clock.now());
  }

  private issueKey(em: EntityManager, customer: Customer, now: Date): string {
    const apiKey = generateApiKey(this.deps.random);
    em.create(CustomerApiKey, { customer, keyHash: hashApiKey(apiKey), createdAt: now, expiresAt: null });
    return apiKey;
  }

  /** A well-formed id of a customer `tenant` may see; anything else is not found, like a missing row. */
  private checkId(id: string, tenant: Tenant): string {
    if (!isUuid(id)) throw new CustomerNotFoundError(id);
    if (!canSee(tenant, id.toLowerCase())) throw new CustomerNotFoundError(id);
    return id.toLowerCase();
  }

  private validateFields(command: UpdateCustomerCommand): UpdateCustomerCommand {
    const out: UpdateCustomerCommand = {};
    // GraphQL lets a client send null for any optional input field; only homeUrl may be cleared.
    for (const field of ['name', 'verifyUrl', 'region', 'promptPolicy', 'trustedRealms', 'returnToVerification'] as const) {
      if (command[field] === null) throw new ValidationError(field, `${field} cannot be null`);
    }
    if (command.name !== undefined) out.name = validateName(command.name);
    if (command.homeUrl !== undefined) out.homeUrl = command.homeUrl === null ? null : validateUrl('homeUrl', command.homeUrl);
    if (command.verifyUrl !== undefined) out.verifyUrl = validateUrl('verifyUrl', command.verifyUrl);
    if (command.region !== undefined) {
      if (!Object.values(Region).includes(command.region)) throw new ValidationError('region', 'unknown region');
      out.region = command.region;
    }
    if (command.promptPolicy !== undefined) out.promptPolicy = command.promptPolicy;
    if (command.returnToVerification !== undefined) {
      if (!Object.values(ReturnToVerification).includes(command.returnToVerification)) throw new ValidationError('returnToVerification', 'unknown value');
      out.returnToVerification = command.returnToVerification;
    }
    if (command.trustedRealms !== undefined) out.trustedRealms = validateTrustedRealms(command.trustedRealms);
    if (command.profileRetentionDays !== undefined) out.profileRetentionDays = validateRetentionDays(command.profileRetentionDays);
    return out;
  }
}

/** A customer's configuration as the audit trail records it (no secrets: keys are audited by event, not value). */
function settingsOf(customer: Customer): Record<string, unknown> {
  return {
    name: customer.name,
    homeUrl: customer.homeUrl,
    verifyUrl: customer.verifyUrl,
    region: customer.region,
    promptPolicy: customer.promptPolicy,
    trustedRealms: [...customer.trustedRealms],
    returnToVerification: customer.returnToVerification,
    profileRetentionDays: customer.profileRetentionDays,
  };
}
