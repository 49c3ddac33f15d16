import { AuditService } from '../audit';
import { ConsentService } from '../consent';
import type { CustomerConfig } from '../customers';
import { ErasureService } from '../erasure';
import { ExportService } from '../exports';
import { ACCOUNT_MODE, AuthRequestQueries } from '../identity-flow';
import { SREG_FIELDS, SregField } from '../openid';
import { ProfileChanges, ProfileRecord, ProfileService } from '../profiles';
import { NotFoundError } from '../shared/errors';
import { customerTenant, Tenant } from '../shared/tenant';
import { AccountOverview, AccountSignIn, isObjectionGrounds, sourceOf } from './account-overview';
import { AccountGoneError, FieldNotEditableError, UnknownObjectionGroundsError } from './privacy-center.errors';
import { PrivacyRequestKind } from '../privacy-requests';
import { NewPrivacyRequest, PrivacyRequestRecorder, PrivacyRequestView } from './privacy-request-recorder';

export interface AccountServiceDeps {
  profiles: ProfileService;
  consent: ConsentService;
  exports: ExportService;
  erasure: ErasureService;
  audit: AuditService;
  signIns: AuthRequestQueries;
  requests: PrivacyRequestRecorder;
}

/** How many of each list the overview shows. */
const RECENT_SIGN_INS = 20;
const RECENT_EXPORTS = 5;
const RECENT_REQUESTS = 50;

/** The person behind a session: their profile and username, and the tenant that sees only them. */
interface Person {
  profile: ProfileRecord;
  username: string;
  tenant: Tenant;
  subjectHash: string;
}

/**
 * The person's own view of what a customer holds about them, and what they may do about it, in
 * the privacy center (`/c/{slug}/account`, issue 22). Every method takes the customer and the
 * session's profile, finds the person's username from the profile and works through the existing
 * services with a tenant bound to that one person; every request is also recorded as a privacy
 * request. The caller runs it as the data subject (runAs) inside the customer's unit of work.
 */
export class AccountService {
  constructor(private readonly deps: AccountServiceDeps) {}

  /** Everything the overview shows: attributes with their provenance, consents, sign-ins, exports, requests. */
  async overview(customer: CustomerConfig, profileId: string): Promise<AccountOverview> {
    const person = await this.person(customer, profileId);
    const { profile, username, tenant } = person;
    const provenance = new Map((await this.deps.audit.fieldProvenance(customer.id, username)).map((p) => [p.field, p]));
    const attributes = SREG_FIELDS.filter((f) => profile[f] !== null || customer.privacyCenter.editableFields.includes(f)).map((field) => {
      const p = provenance.get(field);
      return { field, value: profile[field], changedAt: p?.occurredAt ?? null, source: sourceOf(p?.actorKind ?? null) };
    });
    const [consents] = await this.deps.consent.listForSubjects([{ customerId: customer.id, username }], tenant);
    const signIns = await this.deps.signIns.list({ username }, RECENT_SIGN_INS, null, customerTenant(customer.id));
    const exports = await this.deps.exports.listForProfile(profile.id, tenant, RECENT_EXPORTS);
    return {
      profileId: profile.id,
      username,
      isRestricted: profile.restrictedAt !== null,
      attributes,
      editableFields: customer.privacyCenter.editableFields,
      deletionMode: customer.privacyCenter.deletionMode,
      consents: (consents ?? []).map((c) => ({ ...c })),
      signIns: signIns.items.map(({ request }): AccountSignIn => ({
        at: request.createdAt,
        realm: request.realm,
        outcome: request.outcome,
        releasedFields: request.releasedFields,
        isAccount: request.mode === ACCOUNT_MODE,
      })),
      exports: exports.map((e) => ({ id: e.id, status: e.status, requestedAt: e.requestedAt, expiresAt: e.expiresAt, isDownloadable: this.deps.exports.downloadUrl(e) !== null })),
      requests: await this.deps.requests.forSubject(customer.id, person.subjectHash, RECENT_REQUESTS),
    };
  }

  /**
   * Rectification (GDPR art. 16) of the fields the customer lets people edit; any other field is
   * FIELD_NOT_EDITABLE and changes nothing, as does an invalid value. An empty value clears the
   * field. Only fields whose value changes are recorded; answers their names.
   */
  async rectify(customer: CustomerConfig, profileId: string, submitted: Readonly<Record<string, string>>): Promise<SregField[]> {
    const editable = customer.privacyCenter.editableFields;
    for (const field of Object.keys(submitted)) if (!(editable as readonly string[]).includes(field)) throw new FieldNotEditableError(field);
    const person = await this.person(customer, profileId);
    const changes: ProfileChanges = {};
    for (const field of editable) {
      const given = submitted[field];
      if (given === undefined) continue;
      const value = given.trim() === '' ? null : given;
      if (value !== person.profile[field]) changes[field] = value;
    }
    if (Object.keys(changes).length === 0) return [];
    const updated = await this.deps.profiles.update(profileId, changes, person.tenant);
    const changed = (Object.keys(changes) as SregField[]).filter((f) => updated[f] !== person.profile[f]);
    if (changed.length === 0) return [];
    await this.record(customer, person, { kind: PrivacyRequestKind.RECTIFICATION, status: 'COMPLETED', details: { fields: changed } });
    return changed;
  }

  /**
   * Withdraws one of the person's consent decisions: the next sign-in to that site asks again.
   * Another person's decision (or an unknown id) is NOT_FOUND and changes nothing.
   */
  async withdrawConsent(customer: CustomerConfig, profileId: string, decisionId: string): Promise<void> {
    const { username, tenant } = await this.person(customer, profileId);
    const [own] = await this.deps.consent.listForSubjects([{ customerId: customer.id, username }], tenant);
    const decision = (own ?? []).find((d) => d.id === decisionId.toLowerCase());
    if (!decision) throw new NotFoundError('consent decision', decisionId);
    await this.deps.consent.revoke(decision.id, tenant);
  }

  /** The person's access request (GDPR art. 15): an export the worker builds, recorded IN_PROGRESS until it is ready. */
  async requestExport(customer: CustomerConfig, profileId: string): Promise<PrivacyRequestView> {
    const person = await this.person(customer, profileId);
    const created = await this.deps.exports.request(profileId, person.tenant, { isSubjectAccessRequest: true });
    return this.record(customer, person, { kind: PrivacyRequestKind.EXPORT, status: 'IN_PROGRESS', exportId: created.id });
  }

  /** The signed download link of one of the person's own exports when it is ready; null otherwise (another person's too). */
  async exportDownloadUrl(customer: CustomerConfig, profileId: string, exportId: string): Promise<string | null> {
    const person = await this.person(customer, profileId);
    const found = await this.deps.exports.get(exportId, person.tenant);
    if (!found || found.profile.id !== person.profile.id) return null;
    return this.deps.exports.downloadUrl(found);
  }

  /** Restricts processing (GDPR art. 18) or lifts it; a change of state is recorded, a repeat is not. */
  async setRestriction(customer: CustomerConfig, profileId: string, restricted: boolean): Promise<boolean> {
    const person = await this.person(customer, profileId);
    if ((person.profile.restrictedAt !== null) === restricted) return false;
    await this.deps.profiles.setRestriction(profileId, restricted, person.tenant);
    await this.record(customer, person, { kind: PrivacyRequestKind.RESTRICTION, status: 'COMPLETED', details: { restricted } });
    return true;
  }

  /** An objection to processing (GDPR art. 21) on one of the offered grounds; it waits for the customer's review. */
  async object(customer: CustomerConfig, profileId: string, grounds: string): Promise<PrivacyRequestView> {
    if (!isObjectionGrounds(grounds)) throw new UnknownObjectionGroundsError();
    const person = await this.person(customer, profileId);
    return this.record(customer, person, { kind: PrivacyRequestKind.OBJECTION, status: 'PENDING_REVIEW', details: { grounds } });
  }

  /**
   * Erasure (GDPR art. 17). IMMEDIATE: the same tracked deletion as the API's (the person's key is
   * shredded in this transaction), recorded IN_PROGRESS until the purge completes; REVIEW: recorded
   * PENDING_REVIEW for the customer to approve. A person who already has an open deletion request
   * gets that one back (a concurrent twin too: the recorder's unique index keeps one).
   */
  async requestDeletion(customer: CustomerConfig, profileId: string): Promise<PrivacyRequestView> {
    const person = await this.person(customer, profileId);
    const open = await this.deps.requests.openDeletion(customer.id, person.subjectHash);
    if (open) return open;
    if (customer.privacyCenter.deletionMode === 'REVIEW') return this.record(customer, person, { kind: PrivacyRequestKind.DELETION, status: 'PENDING_REVIEW' });
    let deletion;
    try {
      deletion = await this.deps.erasure.requestProfileDeletion(profileId, person.tenant);
    } catch (err) {
      // A concurrent twin took the profile's lock first and shredded the person's key: answer its request.
      if (!(err instanceof NotFoundError)) throw err;
      const twin = await this.deps.requests.openDeletion(customer.id, person.subjectHash);
      if (twin) return twin;
      throw new AccountGoneError();
    }
    return this.record(customer, person, { kind: PrivacyRequestKind.DELETION, status: 'IN_PROGRESS', deletionRequestId: deletion.id });
  }

  /**
   * A request's receipt, readable after the person's data is gone: the request and, for a completed
   * deletion, the rows removed per table. The caller has checked the receipt's token.
   */
  async receipt(customer: CustomerConfig, requestId: string): Promise<{ request: PrivacyRequestView; removed: Record<string, number> | null } | null> {
    const request = await this.deps.requests.getForReceipt(customer.id, requestId);
    if (!request) return null;
    let removed: Record<string, number> | null = null;
    if (request.deletionRequestId !== null) {
      const deletion = await this.deps.erasure.get(request.deletionRequestId, customerTenant(customer.id));
      if (deletion && deletion.status === 'COMPLETED') removed = { ...deletion.counts };
    }
    return { request, removed };
  }

  /** The session's person: their profile opened; AccountGoneError when it (or their key) no longer exists. */
  private async person(customer: CustomerConfig, profileId: string): Promise<Person> {
    const profile = await this.deps.profiles.read(profileId, customerTenant(customer.id));
    if (!profile || profile.username === null) throw new AccountGoneError();
    return { profile, username: profile.username, tenant: customerTenant(customer.id, profile.username), subjectHash: this.deps.audit.subjectHash(customer.id, profile.username) };
  }

  private record(customer: CustomerConfig, person: Person, request: Omit<NewPrivacyRequest, 'customerId' | 'profileId' | 'subjectHash'>): Promise<PrivacyRequestView> {
    return this.deps.requests.receive({ customerId: customer.id, profileId: person.profile.id, subjectHash: person.subjectHash, ...request });
  }
}
