import { createHmac } from 'node:crypto';

/** The header carrying the signature: `t=<unix seconds>,v1=<hex>[,v1=<hex>]`. */
export const SIGNATURE_HEADER = 'x-ids-signature';
/** The event id; receivers deduplicate by it (a delivery may arrive more than once). */
export const EVENT_ID_HEADER = 'x-ids-event-id';

/** HMAC-SHA256 over `"<t>.<body>"`, hex: what `v1` holds. */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * The signature header for `body` at `timestamp`, one `v1` per secret in force: during a rotation's
 * grace period both the new and the old secret sign, so a receiver still on the old one accepts it.
 */
export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((secret) => `v1=${signPayload(secret, timestamp, body)}`)].join(',');
}
