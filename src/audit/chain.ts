import { createHash, createHmac } from 'node:crypto';

/**
 * The tamper-evident form of the audit trail, pure. Each customer's events form a chain: an event's
 * digest covers the previous event's digest and the event's canonical form. Personal values are
 * not in the chain: they sit in a payload whose salted digest is, so erasing the payload leaves
 * every link checkable and the digest reveals nothing about the erased values.
 */

/** The previous digest of a chain's first event. */
export const GENESIS = '0'.repeat(64);

/** The chain of platform-wide events (no customer). */
export const PLATFORM_CHAIN = 'platform';

/** What the chain covers of one event. */
export interface ChainedEvent {
  chain: string;
  seq: number;
  occurredAt: Date;
  actorKind: string;
  actorId: string;
  action: string;
  targetType: string;
  targetId: string | null;
  subjectHash: string | null;
  fields: readonly string[];
  details: Record<string, unknown> | null;
  payloadDigest: string | null;
}

/** JSON with object keys sorted at every level: one byte string per value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function eventDigest(previousDigest: string, event: ChainedEvent): string {
  return createHash('sha256').update(previousDigest).update('\n').update(canonicalJson(event)).digest('hex');
}

/** The digest of a payload (which carries its own random salt). */
export function payloadDigest(payload: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(payload)).digest('hex');
}

/**
 * A keyed hash of a person's identifier within one customer: lets the trail, the filters and the
 * erasure receipts refer to a person without holding the username.
 */
export function subjectHash(secretKey: string, customerId: string, username: string): string {
  return createHmac('sha256', secretKey).update('audit-subject\n').update(customerId).update('\n').update(username).digest('hex');
}

/** Where a chain first fails to verify. */
export interface BrokenLink {
  eventId: string;
  seq: number;
  reason: 'digest' | 'previous' | 'sequence' | 'payload';
}

export interface StoredChainEvent extends ChainedEvent {
  id: string;
  prevDigest: string;
  digest: string;
  /** The payload (opened) if it has not been erased; a payload whose person's key is gone counts as erased. */
  payload: Record<string, unknown> | null;
  /** The payload is stored but does not open under its key, which exists: it was altered or moved. */
  isPayloadUnreadable?: boolean;
}

/**
 * Checks `events` (consecutive, in seq order) following `previous` (the digest and seq before
 * them). Returns the first broken link, or null and the new head.
 */
export function verifySegment(
  previous: { digest: string; seq: number },
  events: readonly StoredChainEvent[],
): { broken: BrokenLink | null; head: { digest: string; seq: number } } {
  let head = previous;
  for (const event of events) {
    const at = (reason: BrokenLink['reason']) => ({ broken: { eventId: event.id, seq: event.seq, reason }, head });
    if (event.seq !== head.seq + 1) return at('sequence');
    if (event.prevDigest !== head.digest) return at('previous');
    if (eventDigest(head.digest, chainedPart(event)) !== event.digest) return at('digest');
    if (event.isPayloadUnreadable) return at('payload');
    if (event.payload !== null && (event.payloadDigest === null || payloadDigest(event.payload) !== event.payloadDigest)) return at('payload');
    head = { digest: event.digest, seq: event.seq };
  }
  return { broken: null, head };
}

export function chainedPart(event: ChainedEvent): ChainedEvent {
  return {
    chain: event.chain,
    seq: event.seq,
    occurredAt: event.occurredAt,
    actorKind: event.actorKind,
    actorId: event.actorId,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    subjectHash: event.subjectHash,
    fields: event.fields,
    details: event.details,
    payloadDigest: event.payloadDigest,
  };
}
