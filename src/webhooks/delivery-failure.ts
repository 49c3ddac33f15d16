/**
 * Why an attempt got no usable answer, as stored on the attempt and shown through the API. Only
 * these classes, never a socket's own message: "connect ECONNREFUSED 10.0.0.5:6379" against
 * "socket hang up" would tell whoever owns the endpoint which internal ports are open.
 */
export const FAILURE_CLASSES = [
  /** No answer within WEBHOOK_TIMEOUT_MS. */
  'timeout',
  /** The host name did not resolve. */
  'dns_failed',
  /** The host is, or resolves to, an address webhooks may not reach (checked before connecting). */
  'address_refused',
  /** No TCP connection (refused, unreachable, reset). */
  'connect_failed',
  /** Connected, but the TLS handshake failed (certificate, protocol). */
  'tls_failed',
  /** Connected, but the HTTP answer did not arrive whole. */
  'response_failed',
  /** The endpoint was disabled before this attempt; nothing was sent. */
  'endpoint_disabled',
] as const;

export type FailureClass = (typeof FAILURE_CLASSES)[number];

export function isFailureClass(value: string): value is FailureClass {
  return (FAILURE_CLASSES as readonly string[]).includes(value);
}

/**
 * The class of a stored attempt error. Rows written before errors were classes hold the socket's
 * own text; this keeps that text from ever being shown.
 */
export function failureClassOf(stored: string | null): FailureClass | null {
  if (stored === null || isFailureClass(stored)) return stored;
  if (/^timed out/.test(stored)) return 'timeout';
  if (/^url resolves to|private, loopback or link-local/.test(stored)) return 'address_refused';
  if (stored === 'endpoint is disabled') return 'endpoint_disabled';
  return 'connect_failed';
}
