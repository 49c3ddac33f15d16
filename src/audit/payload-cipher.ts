import { fieldAad, isSealed, KeyRing, openText, PersonKey, sealText, usernameAad } from '../keys';

/**
 * How audit payloads are sealed at rest (issue 17). In the outbox, the payload keeps its shape
 * (`{ salt, subject, changes }`) with each personal value sealed where it was written: the username
 * `person.username:<person key id>` (the one value of the person copied into several tables), a
 * changed value `<target type>.<field>:<target id>` (for the login's `profile.*` events that is
 * the profile's own AAD, `profile.<field>:<profile id>`). Once chained, `audit_payload.data` is
 * ONE sealed value of the whole clear payload under the person's key, bound to the event
 * (`audit_payload.data:<event id>`), with the key's id beside it so readers fetch keys in batches.
 * Deleting the person's key (crypto-shredding) turns every payload of theirs, in the database and in
 * every backup, into an erased one: the chain keeps the clear payload's salted digest and still verifies.
 *
 * A payload with no person (no subject) holds nothing personal (today none is written: every
 * payload carries a username) and stays as it is; so do platform events (no customer, no keys).
 */

/** What `audit_payload.data` holds once sealed. */
export interface SealedPayloadData {
  /** The person key it is sealed under. */
  key: string;
  /** `ef1.` AES-256-GCM of the payload's JSON, AAD `audit_payload.data:<event id>`. */
  box: string;
}

export type ClearPayload = Record<string, unknown>;

type FieldChange = { old: string | null; new: string | null };

function isSealedValue(value: unknown): value is string {
  return typeof value === 'string' && isSealed(value);
}

function changeAad(targetType: string, field: string, targetId: string | null): string {
  return fieldAad(targetType, field, targetId ?? '');
}

/** Seals the username and the changed values of a payload before it enters the outbox (values sealed already stay as they are). */
export function sealOutboxPayload(person: PersonKey, target: { type: string; id: string | null }, payload: { salt: string; subject: string | null; changes: Readonly<Record<string, FieldChange>> | null }): ClearPayload {
  const seal = (aad: string, value: string | null) => (value === null || isSealedValue(value) ? value : sealText(person.key, aad, value));
  const changes =
    payload.changes === null
      ? null
      : Object.fromEntries(
          Object.entries(payload.changes).map(([field, c]) => [field, { old: seal(changeAad(target.type, field, target.id), c.old), new: seal(changeAad(target.type, field, target.id), c.new) }]),
        );
  return { salt: payload.salt, subject: seal(usernameAad(person.id), payload.subject), changes };
}

/** Whether an outbox payload holds any sealed value (and so needs its person's key to be read). */
export function hasSealedValues(payload: ClearPayload): boolean {
  if (isSealedValue(payload.subject)) return true;
  const changes = (payload.changes ?? {}) as Record<string, { old?: unknown; new?: unknown } | null>;
  return Object.values(changes).some((c) => c !== null && (isSealedValue(c.old) || isSealedValue(c.new)));
}

/** The outbox payload with its values opened (clear legacy values as they are). Throws when a value does not open under `person`. */
export function openOutboxPayload(person: PersonKey | null, target: { type: string; id: string | null }, payload: ClearPayload): ClearPayload {
  const open = (aad: string, value: unknown) => {
    if (!isSealedValue(value)) return value ?? null;
    if (!person) throw new Error('sealed value without a key');
    return openText(person.key, aad, value);
  };
  const changes = payload.changes as Record<string, { old?: unknown; new?: unknown }> | null | undefined;
  return {
    ...payload,
    subject: open(usernameAad(person?.id ?? ''), payload.subject),
    changes:
      changes === null || changes === undefined
        ? (changes ?? null)
        : Object.fromEntries(
            Object.entries(changes).map(([field, c]) => [field, { old: open(changeAad(target.type, field, target.id), c.old), new: open(changeAad(target.type, field, target.id), c.new) }]),
          ),
  };
}

function dataAad(eventId: string): string {
  return fieldAad('audit_payload', 'data', eventId);
}

/** The clear payload sealed whole for `audit_payload.data`. */
export function sealStoredPayload(person: PersonKey, eventId: string, payload: ClearPayload): SealedPayloadData {
  return { key: person.id, box: sealText(person.key, dataAad(eventId), JSON.stringify(payload)) };
}

/** Exactly `{ key, box }`: anything else is read as a clear payload, which an altered sealed one then fails to match by digest. */
function isSealedData(data: Record<string, unknown>): data is SealedPayloadData & Record<string, unknown> {
  return Object.keys(data).length === 2 && typeof data.key === 'string' && isSealedValue(data.box);
}

/**
 * A stored payload as a reader sees it: `clear` (opened, or a legacy clear payload), `erased`
 * (its person's key is gone: crypto-shredded, the same as a deleted payload) or `unreadable`
 * (it does not open under a key that exists: altered, moved to another event, or sealed elsewhere).
 */
export type OpenedPayload = { state: 'clear'; payload: ClearPayload } | { state: 'erased' } | { state: 'unreadable' };

/** Opens stored payloads of one chain's events in batches: one key lookup per customer (KeyRing caches keys). */
export async function openStoredPayloads(keys: KeyRing, rows: ReadonlyArray<{ eventId: string; customerId: string | null; data: Record<string, unknown> | null }>): Promise<OpenedPayload[]> {
  const wanted = new Map<string, Set<string>>();
  for (const r of rows) if (r.data && r.customerId && isSealedData(r.data)) wanted.set(r.customerId, (wanted.get(r.customerId) ?? new Set()).add(r.data.key));
  const found = new Map<string, PersonKey>();
  for (const [customerId, ids] of wanted) for (const [id, key] of await keys.people(customerId, ids)) found.set(`${customerId}\n${id}`, key);
  return rows.map((r): OpenedPayload => {
    if (r.data === null) return { state: 'erased' };
    if (!isSealedData(r.data)) return { state: 'clear', payload: r.data };
    const person = r.customerId === null ? undefined : found.get(`${r.customerId}\n${r.data.key}`);
    if (!person) return { state: 'erased' };
    try {
      return { state: 'clear', payload: JSON.parse(openText(person.key, dataAad(r.eventId), r.data.box)) as ClearPayload };
    } catch {
      return { state: 'unreadable' };
    }
  });
}

/** An audit row a reader holds with its payload: chained (`audit_payload.data`) or still in the outbox (`isPending`). */
export interface PayloadRow {
  eventId: string | null;
  customerId: string;
  isPending: boolean;
  targetType: string;
  targetId: string | null;
  payload: Record<string, unknown> | null;
}

/**
 * The clear payloads of one person's audit rows (an export): chained ones opened as
 * `openStoredPayloads` does, pending ones under `person` (their values sealed where written).
 * A payload that cannot be read (its key is gone, or it does not open) is null, as an erased one.
 */
export async function openPayloadRows(keys: KeyRing, person: PersonKey | null, rows: readonly PayloadRow[]): Promise<Array<ClearPayload | null>> {
  const stored = await openStoredPayloads(
    keys,
    rows.map((r) => ({ eventId: r.eventId ?? '', customerId: r.customerId, data: r.isPending ? null : r.payload })),
  );
  return rows.map((r, i) => {
    if (r.payload === null) return null;
    if (!r.isPending) {
      const opened = stored[i]!;
      return opened.state === 'clear' ? opened.payload : null;
    }
    try {
      return openOutboxPayload(person, { type: r.targetType, id: r.targetId }, r.payload);
    } catch {
      return null;
    }
  });
}
