import { EntityManager } from '@mikro-orm/postgresql';
import { openPayloadRows } from '../audit';
import type { KeyRing, PersonKey } from '../keys';
import { disclosureOf } from '../profiles';
import { openAuthRequestRow, openProfileRow, PROFILE_KEY_COLUMNS } from './export-values';
import { auditRowsOf, authRequestRowsOf, consentRowsOf, profileRow as profileRowOf, transitionRowsOf } from './profile-export.repository';

/**
 * The format of an export document. Consumers key on it, so any change to the document's shape
 * that could break a reader must come with a new version (never reuse one).
 */
export const EXPORT_FORMAT = 'ids.profile-export/1';

export interface ExportSubject {
  /** The region whose database holds the person's data. */
  region: string;
  customerId: string;
  profileId: string;
  /** The keyed hash the audit trail stores instead of the username (AuditService.subjectHash). */
  subjectHash: string;
  /** For the person's own access request (GDPR art. 15), the only export that shows a restricted person whole. */
  isSubjectAccessRequest: boolean;
  /** The person's key (their values are sealed under it) and the username's lookup hash (how their sealed rows are found). */
  person: PersonKey;
  usernameHash: string;
}

/** One change of the person's values, from the audit trail's (erasable) payloads. */
interface PreviousValue {
  at: string;
  action: string;
  actor: { kind: string; id: string };
  changes: Record<string, { old: string | null; new: string | null }>;
}

/** Columns that are ours, not the person's, and secrets that must never leave: left out of the document. */
const PROFILE_OMITTED = new Set<string>(['customer_id', ...PROFILE_KEY_COLUMNS]);

/**
 * Everything we hold about one person, as one machine-readable document: the profile (every
 * column, so later ones such as a restriction flag come along), every change of their values,
 * their consent decisions, their authentication requests and the audit events about them. Reads
 * in the caller's transaction, which row-level security limits to the person's customer.
 *
 * Left out on purpose: request-id hashes, postback digests, the stored checkid message and the
 * AW's opaque `blob` (secrets or relay data of ours, not facts about the person).
 */
export async function buildExportDocument(em: EntityManager, keys: KeyRing, subject: ExportSubject, generatedAt: Date): Promise<Record<string, unknown>> {
  const storedProfile = await profileRowOf(em, subject.customerId, subject.profileId);
  if (!storedProfile) throw new Error(`profile ${subject.profileId} is gone`);
  // A row written before encryption (no key id) holds its values in clear.
  const profileRow = openProfileRow(storedProfile.person_key_id === null ? null : subject.person, storedProfile);
  const shown = disclosureOf({ isRestricted: profileRow.restricted_at !== null }, subject.isSubjectAccessRequest ? 'subject-access' : 'read');
  if (!shown.activity) return restrictedDocument(profileRow, generatedAt, subject.region);
  const username = profileRow.username as string;
  const profile = Object.fromEntries(
    Object.entries(profileRow)
      .filter(([column]) => !PROFILE_OMITTED.has(column))
      .map(([column, value]) => [camel(column), plain(value)]),
  );

  const who = { usernameHash: subject.usernameHash, username };
  const consents = await consentRowsOf(em, subject.customerId, who);
  const requests = (await authRequestRowsOf(em, subject.customerId, who)).map((row) => openAuthRequestRow(subject.person, row));
  const transitions = requests.length
    ? await transitionRowsOf(
        em,
        subject.customerId,
        requests.map((r) => r.id as string),
      )
    : [];
  const events = await auditRowsOf(em, subject.customerId, subject.subjectHash);
  const payloads = await openPayloadRows(
    keys,
    subject.person,
    events.map((e) => ({
      eventId: (e.id as string | null) ?? null,
      customerId: subject.customerId,
      isPending: e.is_pending as boolean,
      targetType: e.target_type as string,
      targetId: (e.target_id as string | null) ?? null,
      payload: (e.payload as Record<string, unknown> | null) ?? null,
    })),
  );
  events.forEach((e, i) => (e.payload = payloads[i] ?? null));

  const previousValues: PreviousValue[] = [];
  for (const event of events) {
    const changes = (event.payload as { changes?: PreviousValue['changes'] | null } | null)?.changes;
    if (changes && Object.keys(changes).length > 0) {
      previousValues.push({ at: iso(event.occurred_at), action: event.action as string, actor: { kind: event.actor_kind as string, id: event.actor_id as string }, changes });
    }
  }

  return {
    format: EXPORT_FORMAT,
    generatedAt: generatedAt.toISOString(),
    storedInRegion: subject.region,
    profile,
    previousValues,
    consentDecisions: consents.map((row) => camelRow(row)),
    authenticationHistory: requests.map((row) => ({
      ...camelRow(row),
      timeline: transitions
        .filter((t) => t.auth_request_id === row.id)
        .map((t) => ({ event: t.event, fromStatus: t.from_status, toStatus: t.to_status, at: iso(t.at), reason: t.reason })),
    })),
    auditEvents: events.map((event) => ({
      id: event.id,
      seq: event.seq === null ? null : Number(event.seq),
      occurredAt: iso(event.occurred_at),
      recordedAt: event.recorded_at === null ? null : iso(event.recorded_at),
      isPending: event.is_pending,
      actor: { kind: event.actor_kind, id: event.actor_id },
      action: event.action,
      target: { type: event.target_type, id: event.target_id },
      fields: event.fields,
      details: event.details,
      isErased: !event.is_pending && event.payload === null && (event.fields as string[]).length > 0,
    })),
  };
}

/**
 * The export of a restricted profile (GDPR art. 18) made for anything but the person's own access
 * request: what a restricted read shows (the id and the flag), nothing about the person. Same
 * format, so a reader needs no second parser.
 */
function restrictedDocument(profileRow: Record<string, unknown>, generatedAt: Date, region: string): Record<string, unknown> {
  return {
    format: EXPORT_FORMAT,
    generatedAt: generatedAt.toISOString(),
    storedInRegion: region,
    profile: { id: profileRow.id, isRestricted: true, restrictedAt: plain(profileRow.restricted_at) },
    previousValues: [],
    consentDecisions: [],
    authenticationHistory: [],
    auditEvents: [],
  };
}

function camel(column: string): string {
  return column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function camelRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([column, value]) => [camel(column), plain(value)]));
}

/** Dates as ISO 8601 strings; everything else as the driver gave it (JSON-safe already). */
function plain(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

function iso(value: unknown): string {
  return new Date(value as string | Date).toISOString();
}
