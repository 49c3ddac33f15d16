import { EntityManager } from '@mikro-orm/postgresql';
import { AuditService } from '../audit';
import { KeyRing, openText, usernameAad } from '../keys';
import { disclosureOf, ProfileService } from '../profiles';
import { Clock } from '../shared/clock';
import { NotFoundError } from '../shared/errors';
import { isUuid } from '../shared/ids';
import { Sealer } from '../shared/sealed-box';
import { customerWhere, Tenant } from '../shared/tenant';
import { DownloadSigner } from './download-url';
import { buildExportDocument } from './export-document';
import { isPersonSealed, openDocument, profileUsername, sealDocument } from './export-values';
import { ProfileExport, ProfileExportStatus } from './profile-export.entity';
import {
  countBuildFailure,
  expireReadyExports,
  findExportToDownload,
  lockExportToBuild,
  markExportReady,
  selectPendingExports,
  usernameOfProfile,
} from './profile-export.repository';

/** After this many failed builds an export is FAILED and no longer retried. */
export const MAX_BUILD_ATTEMPTS = 5;

export interface ExportJob {
  customerId: string;
  exportId: string;
}

export interface ExportServiceDeps {
  em: EntityManager;
  /** The region whose database this service reads: every document says where the data is stored (issue 18). */
  region: string;
  clock: Clock;
  audit: AuditService;
  profiles: ProfileService;
  /** Opens documents sealed before encryption at rest (issue 17); `createSealer(SECRET_KEYS, 'profile-export-document')` in the app. */
  sealer: Sealer;
  /** New documents are sealed under the person's key. */
  keys: KeyRing;
  signer: DownloadSigner;
  publicUrl: string;
  ttlSeconds: number;
  /** Hands an export to the worker; runs after the request's commit, and may fail (the sweep catches up). */
  enqueue(job: ExportJob): Promise<void>;
  /** Defers work until the current unit of work has committed (Database.afterCommit). */
  afterCommit(fn: () => Promise<void>): void;
  /** Called in the build's transaction once an export is READY (the privacy center's EXPORT request completes). */
  onBuilt?(exportId: string): Promise<void>;
}

/** What a download link leads to. */
export type Download =
  | { kind: 'document'; body: Buffer; filename: string }
  | { kind: 'forbidden' }
  | { kind: 'gone' }
  | { kind: 'not_found' }
  /** The person's processing was restricted after a portability export was built: it no longer leaves. */
  | { kind: 'restricted' };

/**
 * Data portability (GDPR art. 20): requests, builds, serves and purges a person's export. The
 * request and its audit event commit together; the worker builds the document (`build`), which
 * the signed link serves until `expiresAt`, after which `purgeExpired` drops it.
 */
export class ExportService {
  constructor(private readonly deps: ExportServiceDeps) {}

  /**
   * Creates a PENDING export of the profile and hands it to the worker. Another tenant's profile is
   * NOT_FOUND. `isSubjectAccessRequest` marks the person's own access request (GDPR art. 15), the
   * one export that holds a restricted person's data; the audit event names that purpose (the
   * caller checks the scope it needs).
   */
  async request(profileId: string, tenant: Tenant, options: { isSubjectAccessRequest?: boolean } = {}): Promise<ProfileExport> {
    const profile = await this.deps.profiles.get(profileId, tenant);
    if (!profile) throw new NotFoundError('profile', profileId);
    const username = await profileUsername(this.deps.keys, { customerId: profile.customer.id, username: profile.username, personKeyId: profile.personKeyId });
    // Their key is gone: they are being erased.
    if (username === null) throw new NotFoundError('profile', profileId);
    const isSubjectAccessRequest = options.isSubjectAccessRequest === true;
    const created = await this.deps.em.transactional(async (em) => {
      const row = em.create(ProfileExport, {
        customer: profile.customer,
        profile,
        status: ProfileExportStatus.PENDING,
        attempts: 0,
        requestedAt: this.deps.clock.now(),
        isSubjectAccessRequest,
      });
      await this.deps.audit.record({
        customerId: profile.customer.id,
        action: 'profile.export_requested',
        target: { type: 'profile_export', id: row.id },
        username,
        details: { profileId: profile.id, purpose: exportPurpose(isSubjectAccessRequest), isRestricted: profile.restrictedAt !== null },
      });
      return row;
    });
    const job = { customerId: profile.customer.id, exportId: created.id };
    this.deps.afterCommit(() => this.deps.enqueue(job));
    return created;
  }

  /** One export `tenant` may see, or null (missing, malformed, another customer's or another user's). */
  async get(id: string, tenant: Tenant): Promise<ProfileExport | null> {
    if (!isUuid(id)) return null;
    const where: Record<string, unknown> = { id: id.toLowerCase(), ...customerWhere(tenant) };
    if (tenant.kind === 'customer' && tenant.subject !== undefined) {
      // A user-bound token sees its own user's exports: sealed profiles by the username's lookup hash, older ones by the clear name.
      const usernameHash = this.deps.keys.lookupHash(await this.deps.keys.customer(tenant.customerId), 'username', tenant.subject);
      where.profile = { $or: [{ usernameHash }, { personKeyId: null, username: tenant.subject }] };
    }
    return this.deps.em.findOne(ProfileExport, where, { populate: ['customer'] });
  }

  /** The newest `limit` exports of one profile `tenant` may see (the person's own list in the privacy center). */
  async listForProfile(profileId: string, tenant: Tenant, limit: number): Promise<ProfileExport[]> {
    if (!isUuid(profileId)) return [];
    return this.deps.em.find(
      ProfileExport,
      { profile: profileId.toLowerCase(), ...customerWhere(tenant) },
      { orderBy: { requestedAt: 'desc', id: 'desc' }, limit, populate: ['customer'] },
    );
  }

  /** The signed link of a READY export that has not expired, else null. */
  downloadUrl(row: ProfileExport): string | null {
    if (row.status !== ProfileExportStatus.READY || !row.expiresAt || row.expiresAt <= this.deps.clock.now()) return null;
    return this.deps.signer.url(this.deps.publicUrl, row.customer.slug, row.id, row.expiresAt);
  }

  /**
   * Builds a PENDING export's document, seals it and marks it READY, in the caller's transaction
   * (scoped to the export's customer). Idempotent: a READY, FAILED or missing export, or one
   * another worker is building right now, is left alone and answers false.
   */
  async build(exportId: string): Promise<boolean> {
    const em = this.deps.em;
    const row = await lockExportToBuild(em, exportId);
    if (!row || row.status !== ProfileExportStatus.PENDING) return false;
    const owner = await usernameOfProfile(em, row.profile_id);
    if (owner === undefined) return false; // erased meanwhile: the export goes with it (on delete cascade)
    const keys = this.deps.keys;
    // A profile written before encryption names its person in clear (their key is made if they have none).
    const stored = owner.person_key_id === null ? null : await keys.personById(row.customer_id, owner.person_key_id);
    if (owner.person_key_id !== null && !stored) return false; // their key is gone: erased, the rows follow
    const username = stored ? openText(stored.key, usernameAad(stored.id), owner.username) : owner.username;
    const subjectHash = this.deps.audit.subjectHash(row.customer_id, username);
    const person = stored ?? (await keys.person(row.customer_id, username, subjectHash));
    const now = this.deps.clock.now();
    const document = await buildExportDocument(
      em,
      keys,
      {
        customerId: row.customer_id,
        profileId: row.profile_id,
        subjectHash,
        isSubjectAccessRequest: row.is_subject_access_request,
        person,
        usernameHash: keys.lookupHash(await keys.customer(row.customer_id), 'username', username),
        region: this.deps.region,
      },
      now,
    );
    const sealed = sealDocument(person, row.id, JSON.stringify(document));
    const expiresAt = new Date(now.getTime() + this.deps.ttlSeconds * 1000);
    await markExportReady(em, row.id, sealed, person.id, now, expiresAt);
    await this.deps.audit.record({
      customerId: row.customer_id,
      action: 'profile.exported',
      target: { type: 'profile_export', id: row.id },
      username,
      details: { profileId: row.profile_id, expiresAt: expiresAt.toISOString(), purpose: exportPurpose(row.is_subject_access_request) },
    });
    await this.deps.onBuilt?.(row.id);
    return true;
  }

  /** Counts a failed build; the last allowed one makes the export FAILED. Answers whether it did. */
  async recordFailure(exportId: string): Promise<boolean> {
    return (await countBuildFailure(this.deps.em, exportId, MAX_BUILD_ATTEMPTS, this.deps.clock.now())) === ProfileExportStatus.FAILED;
  }

  /** PENDING exports, oldest first (the sweep's work list; platform path). */
  async pending(limit: number): Promise<ExportJob[]> {
    const rows = await selectPendingExports(this.deps.em, limit);
    return rows.map((r) => ({ customerId: r.customer_id, exportId: r.id }));
  }

  /**
   * Drops the documents of up to `batchSize` exports past their expiry and marks them EXPIRED;
   * the rows stay as receipts (they hold no personal value). Answers how many it purged.
   */
  async purgeExpired(batchSize: number): Promise<number> {
    return expireReadyExports(this.deps.em, this.deps.clock.now(), batchSize);
  }

  /**
   * What a download link answers, in a transaction scoped to the customer of the URL: the
   * signature first (so nothing about the export is revealed without one), then its expiry, then
   * the row (another customer's looks unknown), then whether the document is still there.
   */
  async download(id: string, expires: string | null, sig: string | null): Promise<Download> {
    if (expires === null || sig === null || !this.deps.signer.verify(id, expires, sig)) return { kind: 'forbidden' };
    const now = this.deps.clock.now();
    if (Number(expires) * 1000 <= now.getTime()) return { kind: 'gone' };
    if (!isUuid(id)) return { kind: 'not_found' };
    const row = await findExportToDownload(this.deps.em, id.toLowerCase());
    if (!row) return { kind: 'not_found' };
    if (row.status !== ProfileExportStatus.READY || row.document === null || !row.expires_at || new Date(row.expires_at) <= now) return { kind: 'gone' };
    // Asked again at download, not only when the document was built: a restriction set since then
    // stops a portability export (one built while restricted already holds only what the rule lets
    // out), while the person's own access request still leaves.
    const restrictedSinceBuilt = row.restricted_at !== null && (row.ready_at === null || new Date(row.restricted_at) > new Date(row.ready_at));
    const shown = disclosureOf({ isRestricted: restrictedSinceBuilt }, row.is_subject_access_request ? 'subject-access' : 'read');
    if (!shown.attributes) return { kind: 'restricted' };
    const body = await this.openDocument({ ...row, document: row.document });
    // Sealed under a person key that is gone: the person was erased.
    if (body === null) return { kind: 'gone' };
    return { kind: 'document', body, filename: `profile-export-${row.id}.json` };
  }

  private async openDocument(row: { id: string; customer_id: string; person_key_id: string | null; document: Buffer }): Promise<Buffer | null> {
    if (!isPersonSealed(row.document) || row.person_key_id === null) return this.deps.sealer.open(row.document, row.id);
    const person = await this.deps.keys.personById(row.customer_id, row.person_key_id);
    return person ? openDocument(person, row.id, row.document) : null;
  }
}

/** The purpose an export's audit events name. */
function exportPurpose(isSubjectAccessRequest: boolean): string {
  return isSubjectAccessRequest ? 'data_subject_access_request' : 'portability';
}
