import type { Disclosure } from '../profiles';

/**
 * The events customers can subscribe to (issue #7). Each is produced from an outbox row (the same
 * outbox as the audit trail, so none is lost while Redis is down) whose action maps to it.
 */
export const WEBHOOK_EVENT_TYPES = [
  'login.succeeded',
  'login.cancelled',
  'login.failed',
  'consent.granted',
  'consent.revoked',
  'profile.created',
  'profile.updated',
  'profile.deleted',
  'deletion.completed',
  'export.ready',
  'customer.updated',
  'privacy_request.received',
  'privacy_request.completed',
  'privacy_request.declined',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/** The outbox actions that become webhook events, and as which type; every other action is not sent. */
const FROM_ACTION: Readonly<Record<string, WebhookEventType>> = {
  'login.succeeded': 'login.succeeded',
  'login.cancelled': 'login.cancelled',
  'login.failed': 'login.failed',
  'consent.granted': 'consent.granted',
  'consent.revoked': 'consent.revoked',
  'profile.created': 'profile.created',
  'profile.updated': 'profile.updated',
  'profile.deleted': 'profile.deleted',
  'customer.data_deleted': 'deletion.completed',
  'deletion.completed': 'deletion.completed',
  'profile.exported': 'export.ready',
  'customer.updated': 'customer.updated',
  'privacy_request.received': 'privacy_request.received',
  'privacy_request.completed': 'privacy_request.completed',
  'privacy_request.declined': 'privacy_request.declined',
};

/** What a privacy request's events carry besides its id: its kind, status and due date (never who, only by the API's `privacyRequest`). */
const PRIVACY_REQUEST_KEYS = ['kind', 'status', 'dueAt', 'profileId'] as const;

export function webhookTypeOf(action: string): WebhookEventType | null {
  return FROM_ACTION[action] ?? null;
}

/** An outbox row as the dispatcher reads it. */
export interface OutboxEvent {
  id: string;
  customerId: string;
  action: string;
  occurredAt: Date;
  targetType: string;
  targetId: string | null;
  fields: readonly string[];
  details: Record<string, unknown> | null;
  /** The AW username the event is about, when it is about one person. */
  subject: string | null;
}

/**
 * The `data` of an event: ids, names and the username the customer's own AW sent us, never a
 * personal value (no email, no address: a receiver reads those through the API with its scopes).
 * `shown` is the disclosure rule's answer for the event's person: for a restricted person
 * (no `activity`) only the target's id goes out, not who, where or which fields.
 */
export function eventData(event: OutboxEvent, shown: Pick<Disclosure, 'activity'> = { activity: true }): Record<string, unknown> {
  const data: Record<string, unknown> = { [`${event.targetType}Id`]: event.targetId };
  if (event.targetType === 'privacy_request') {
    const details = event.details ?? {};
    for (const key of PRIVACY_REQUEST_KEYS) if (details[key] !== undefined) data[key] = details[key];
  }
  if (!shown.activity) return data;
  if (event.subject !== null) data.username = event.subject;
  if (event.fields.length > 0) data.fields = [...event.fields];
  const details = event.details ?? {};
  for (const key of ['realm', 'grantedFields', 'releasedFields', 'reason', 'changed', 'authRequestId']) {
    if (details[key] === undefined) continue;
    // A configuration change lists what changed, not to what.
    data[key] = key === 'changed' && typeof details[key] === 'object' && details[key] !== null ? Object.keys(details[key] as object) : details[key];
  }
  return data;
}
