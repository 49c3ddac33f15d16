import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService } from '../audit';
import { Clock } from '../shared/clock';
import { isUuid } from '../shared/ids';
import { canSee, Tenant } from '../shared/tenant';
import { Customer } from './customer.entity';
import { CustomerNotFoundError } from './customer.errors';
import { privacyCenterOf, PrivacyCenterSettings } from './privacy-center-settings';
import { applyPrivacyCenterCommand, PrivacyCenterCommand } from './privacy-center.validation';

export interface PrivacyCenterSettingsServiceDeps {
  em: EntityManager;
  clock: Clock;
  audit: AuditService;
  /** As CustomerService's: drops the cached CustomerConfig once the change commits. */
  onConfigChanged?: () => void;
}

/** A customer's privacy center settings (issue 22): read with defaults, changed with validation and audit. */
export class PrivacyCenterSettingsService {
  constructor(private readonly deps: PrivacyCenterSettingsServiceDeps) {}

  /**
   * Applies `command` to the customer's settings. Every field is checked before anything is written
   * (an invalid one is BAD_USER_INPUT naming it, and changes nothing); another tenant's or a missing
   * customer is NOT_FOUND. A change is audited on the customer's chain (`customer.updated`, with the
   * old and new settings) and drops the cached login configuration once it commits.
   */
  async update(customerId: string, command: PrivacyCenterCommand, tenant: Tenant): Promise<{ customer: Customer; settings: PrivacyCenterSettings }> {
    if (!isUuid(customerId) || !canSee(tenant, customerId.toLowerCase())) throw new CustomerNotFoundError(customerId);
    return this.deps.em.transactional(async (em) => {
      const customer = await em.findOne(Customer, { id: customerId.toLowerCase() }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!customer) throw new CustomerNotFoundError(customerId);
      const before = privacyCenterOf(customer.privacyCenter);
      const after = applyPrivacyCenterCommand(before, command);
      if (JSON.stringify(before) === JSON.stringify(after)) return { customer, settings: before };
      this.deps.onConfigChanged?.();
      em.assign(customer, { privacyCenter: { ...after }, updatedAt: this.deps.clock.now() });
      await this.deps.audit.record({
        customerId: customer.id,
        action: 'customer.updated',
        target: { type: 'customer', id: customer.id },
        details: { changed: { privacyCenter: { old: before, new: after } } },
      });
      return { customer, settings: after };
    });
  }
}
