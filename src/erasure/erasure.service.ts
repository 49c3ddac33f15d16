import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService, currentActor } from '../audit';
import { KeyRing, shredCustomerKey, shredPersonKey } from '../keys';
import { Clock } from '../shared/clock';
import { NotFoundError } from '../shared/errors';
import { isUuid } from '../shared/ids';
import { Logger } from '../shared/logger';
import { canSee, customerWhere, Tenant } from '../shared/tenant';
import { DeletionKind, DeletionReason, DeletionRequest, DeletionStatus, OPEN_STATUSES } from './deletion-request.entity';
import { lockCustomerToErase, lockProfileToErase } from './erasure.repository';
import { openProfileUsername, sealRequestUsername } from './person-name';

export interface ErasureServiceDeps {
  em: EntityManager;
  clock: Clock;
  audit: AuditService;
  /** Hands a request to the erasure worker. May fail (Redis down): the sweep finds the request anyway. */
  enqueue(deletionRequestId: string): Promise<void>;
  log: Logger;
  /** Crypto-shredding: a request deletes its person's (or customer's) key in the transaction that records it. */
  keys: KeyRing;
}

export interface ProfileToErase {
  id: string;
  customerId: string;
  /** In clear (opened); null when the person's key is gone already (an earlier request shredded it). */
  username: string | null;
  personKeyId: string | null;
}

/**
 * Deletion requests (GDPR art. 17): creating them, in the caller's transaction and with their
 * audit event, and reading their progress. The purge itself is in erasure.purge.ts.
 */
export class ErasureService {
  constructor(private readonly deps: ErasureServiceDeps) {}

  /**
   * Asks for a person's erasure. Another tenant's or a missing profile is NOT_FOUND and writes
   * nothing; a person with an open request gets that one back.
   */
  async requestProfileDeletion(profileId: string, tenant: Tenant): Promise<DeletionRequest> {
    const request = await this.deps.em.transactional(async (em) => {
      const profile = isUuid(profileId) ? await this.lockProfile(em, profileId.toLowerCase(), tenant) : null;
      if (!profile) throw new NotFoundError('profile', profileId);
      return this.openProfileRequest(profile, DeletionReason.REQUEST);
    });
    await this.enqueue(request);
    return request;
  }

  /** Customer offboarding: every person of the customer, its clients and keys. A second request returns the open one. */
  async requestCustomerDataDeletion(customerId: string, tenant: Tenant): Promise<DeletionRequest> {
    const request = await this.deps.em.transactional(async (em) => {
      const id = isUuid(customerId) ? customerId.toLowerCase() : null;
      const customer = id !== null && canSee(tenant, id) ? await lockCustomerToErase(em, id) : undefined;
      if (!customer) throw new NotFoundError('customer', customerId);
      const open = await em.findOne(DeletionRequest, { customer: customer.id, kind: DeletionKind.CUSTOMER, status: { $in: [...OPEN_STATUSES] } });
      if (open) return open;
      // Crypto-shredding first: every value sealed under the customer's keys, here and in every backup, stops opening with this commit.
      await shredCustomerKey(em, customer.id);
      this.deps.keys.forgetCustomer(customer.id);
      const request = this.newRequest(em, customer.id, DeletionKind.CUSTOMER, DeletionReason.REQUEST);
      await em.flush();
      await this.deps.audit.record({
        customerId: customer.id,
        action: 'customer.data_deletion_requested',
        target: { type: 'deletion_request', id: request.id },
        details: { customerId: customer.id },
      });
      return request;
    });
    await this.enqueue(request);
    return request;
  }

  /**
   * The open request for `profile`'s person, or a new one (with its audit event) in the current
   * unit of work. The caller holds the profile's row lock, so two requests cannot race. The
   * person's key is deleted first, in the same transaction (crypto-shredding): from its commit
   * nothing sealed under it opens, in this database or in any backup; the purge then removes the rows.
   */
  async openProfileRequest(profile: ProfileToErase, reason: DeletionReason): Promise<DeletionRequest> {
    const em = this.deps.em;
    const byProfile = { customer: profile.customerId, kind: DeletionKind.PROFILE, profileId: profile.id, status: { $in: [...OPEN_STATUSES] } };
    // Without the username (the key is gone: shredded by a request that then failed) there is no subject hash to erase the trail's payloads by.
    if (profile.username === null) {
      const open = await em.findOne(DeletionRequest, byProfile);
      if (open) return open;
      throw new NotFoundError('profile', profile.id);
    }
    const subjectHash = this.deps.audit.subjectHash(profile.customerId, profile.username);
    const open = await em.findOne(DeletionRequest, { customer: profile.customerId, kind: DeletionKind.PROFILE, subjectHash, status: { $in: [...OPEN_STATUSES] } });
    if (open) return open;
    await shredPersonKey(em, profile.customerId, profile.id);
    if (profile.personKeyId !== null) this.deps.keys.forgetPerson(profile.personKeyId);
    const request = this.newRequest(em, profile.customerId, DeletionKind.PROFILE, reason);
    em.assign(request, { profileId: profile.id, subjectHash, username: await sealRequestUsername(this.deps.keys, profile.customerId, request.id, profile.username) });
    await em.flush();
    await this.deps.audit.record({
      customerId: profile.customerId,
      action: 'profile.deletion_requested',
      target: { type: 'deletion_request', id: request.id },
      subjectHash,
      details: { profileId: profile.id, reason },
    });
    return request;
  }

  /** A request `tenant` may see, or null (missing, malformed or another customer's). */
  async get(id: string, tenant: Tenant): Promise<DeletionRequest | null> {
    if (!isUuid(id)) return null;
    return this.deps.em.findOne(DeletionRequest, { id: id.toLowerCase(), ...customerWhere(tenant) });
  }

  private newRequest(em: EntityManager, customerId: string, kind: DeletionKind, reason: DeletionReason): DeletionRequest {
    const actor = currentActor();
    return em.create(DeletionRequest, {
      customer: customerId,
      kind,
      reason,
      status: DeletionStatus.PENDING,
      requestedByKind: actor.kind,
      requestedById: actor.id,
      requestedAt: this.deps.clock.now(),
      counts: {},
      failures: 0,
    });
  }

  private async lockProfile(em: EntityManager, id: string, tenant: Tenant): Promise<ProfileToErase | null> {
    const row = await lockProfileToErase(em, id, tenant.kind === 'customer' ? tenant.customerId : undefined);
    if (!row) return null;
    const username = await openProfileUsername(this.deps.keys, row);
    // A user-bound token sees only its own user.
    if (tenant.kind === 'customer' && tenant.subject !== undefined && tenant.subject !== username) return null;
    return { id: row.id, customerId: row.customer_id, username, personKeyId: row.person_key_id };
  }

  /** The profile's username opened (see person-name.ts), for a caller that locked it (the retention run). */
  openUsername(row: { customer_id: string; username: string; person_key_id: string | null }): Promise<string | null> {
    return openProfileUsername(this.deps.keys, row);
  }

  /** Best effort: a request that cannot be queued now stays PENDING and the sweep picks it up. */
  private async enqueue(request: DeletionRequest): Promise<void> {
    if (request.status !== DeletionStatus.PENDING) return;
    try {
      await this.deps.enqueue(request.id);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message, deletionRequestId: request.id }, 'could not queue a deletion request; the sweep will pick it up');
    }
  }
}
