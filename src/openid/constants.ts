/**
 * URIs and literals fixed by the specifications. Every value here is on the wire: changing one
 * breaks every deployed RP, so treat them as immutable.
 */

/** `openid.ns` of every OpenID 2.0 message (§4.1.2). */
export const OPENID2_NS = 'http://specs.openid.net/auth/2.0';

/** The two namespaces that mean "1.1 compatibility mode" (§4.1.2); we refuse them (docs/protocol.md#openid-1-1). */
export const OPENID1_NAMESPACES: readonly string[] = [
  'http://openid.net/signon/1.0',
  'http://openid.net/signon/1.1',
];

/** claimed_id/identity value asking the OP to choose the identifier (§9.1). */
export const IDENTIFIER_SELECT = 'http://specs.openid.net/auth/2.0/identifier_select';

/** XRDS Service types (§7.3.2.1.1, §7.3.2.1.2) and the RP return_to type (§13). */
export const OP_IDENTIFIER_SERVICE_TYPE = 'http://specs.openid.net/auth/2.0/server';
export const CLAIMED_IDENTIFIER_SERVICE_TYPE = 'http://specs.openid.net/auth/2.0/signon';
export const RP_RETURN_TO_SERVICE_TYPE = 'http://specs.openid.net/auth/2.0/return_to';

/**
 * Aliases §12 forbids for extensions, because they collide with core fields. The spec list;
 * `error_code` is missing from it but is a core field too, so we refuse it as well.
 */
export const RESERVED_ALIASES: ReadonlySet<string> = new Set([
  'assoc_handle', 'assoc_type', 'claimed_id', 'contact', 'delegate', 'dh_consumer_public',
  'dh_gen', 'dh_modulus', 'error', 'error_code', 'identity', 'invalidate_handle', 'mode', 'ns',
  'op_endpoint', 'openid', 'realm', 'reference', 'response_nonce', 'return_to', 'server',
  'session_type', 'sig', 'signed', 'trust_root',
]);
