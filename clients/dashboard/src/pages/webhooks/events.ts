/**
 * The event types an endpoint can subscribe to, as the service lists them (src/webhooks/events.ts,
 * WEBHOOK_EVENT_TYPES). The API checks every subscription, so a stale list here fails with the
 * API's message rather than subscribing to nothing.
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
