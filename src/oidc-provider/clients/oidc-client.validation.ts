import ipaddr from 'ipaddr.js';
import { importJWK, type JWK } from 'jose';
import { ValidationError } from '../../shared/errors';
import { hasControlCharacters } from '../../shared/url';
import { isOidcScope, OIDC_SCOPES, OidcScope } from '../../oidc/claims';

/** At most this many redirect URIs (and post-logout redirect URIs) per client, each at most this long. */
export const MAX_REDIRECT_URIS = 20;
export const MAX_URI_LENGTH = 2000;
/** Keys in a client's JWK Set at most, and the set's JSON size at most: enough for a rotation or two. */
export const MAX_JWKS_KEYS = 10;
export const MAX_JWKS_BYTES = 64 * 1024;
/** What a client may ask for when its registration names no scopes. */
export const DEFAULT_OIDC_CLIENT_SCOPES: readonly OidcScope[] = ['openid', 'profile', 'email'];

/** Members of a JWK that hold private or symmetric key material (RFC 7518 §6.2.2, §6.3.2, §6.4.1): never accepted. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const RSA_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const MIN_RSA_BITS = 2048;

export function validateOidcClientName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200 || hasControlCharacters(trimmed)) {
    throw new ValidationError('name', 'name must be 1-200 characters without control characters');
  }
  return trimmed;
}

/**
 * Whether plain http is acceptable for `hostname` (as `URL` gives it): only a loopback address or
 * `localhost`, where native and development clients receive redirects (RFC 8252 §7.3, §8.3). Parsed
 * as an address, not matched as text, so `127.0.0.1.example.com` is a host like any other.
 */
export function isLoopbackRedirectHost(hostname: string): boolean {
  if (hostname === 'localhost') return true;
  const literal = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (ipaddr.IPv4.isValidFourPartDecimal(literal)) return ipaddr.IPv4.parse(literal).range() === 'loopback';
  if (literal !== hostname && ipaddr.IPv6.isValid(literal)) return ipaddr.IPv6.parse(literal).range() === 'loopback';
  return false;
}

/**
 * One URI a browser or this service is sent to: absolute, https (http only for a loopback host), no
 * credentials, no fragment (OAuth 2.0 §3.1.2 for redirect URIs), no wildcard (matching is exact),
 * at most MAX_URI_LENGTH characters. Kept exactly as given: redirect URIs are compared as strings
 * (OpenID Connect Core §3.1.2.1).
 */
export function validateClientUri(field: string, value: string): string {
  const problem = uriProblem(value);
  if (problem !== null) throw new ValidationError(field, `${field}: ${JSON.stringify(value.slice(0, 100))} ${problem}`);
  return value;
}

function uriProblem(value: string): string | null {
  if (value.length > MAX_URI_LENGTH) return `must be at most ${MAX_URI_LENGTH} characters`;
  if (hasControlCharacters(value) || /\s/.test(value)) return 'must not contain spaces or control characters';
  if (value.includes('*')) return 'must not contain a wildcard: redirect URIs are matched exactly';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackRedirectHost(url.hostname))) {
    return 'must use https (plain http only for a loopback host: 127.0.0.1, [::1] or localhost)';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  if (value.includes('#')) return 'must not contain a fragment';
  return null;
}

/** A list of redirect URIs: `min` to MAX_REDIRECT_URIS of them, each valid, none repeated. */
export function validateClientUris(field: string, values: readonly string[], min: number): string[] {
  if (values.length < min) throw new ValidationError(field, `${field} needs at least ${min} URI`);
  if (values.length > MAX_REDIRECT_URIS) throw new ValidationError(field, `${field} holds at most ${MAX_REDIRECT_URIS} URIs`);
  const seen = new Set<string>();
  for (const value of values) {
    validateClientUri(field, value);
    if (seen.has(value)) throw new ValidationError(field, `${field} lists ${JSON.stringify(value.slice(0, 100))} twice`);
    seen.add(value);
  }
  return [...values];
}

/** Scopes from OIDC_SCOPES including `openid` (Core §3.1.2.1), in the table's order without repeats. */
export function validateOidcClientScopes(scopes: readonly string[] | undefined | null): OidcScope[] {
  if (scopes === undefined || scopes === null) return [...DEFAULT_OIDC_CLIENT_SCOPES];
  const unknown = scopes.filter((scope) => !isOidcScope(scope));
  if (unknown.length > 0) throw new ValidationError('scopes', `unknown scope ${JSON.stringify(unknown[0])}; known scopes: ${OIDC_SCOPES.join(' ')}`);
  if (!scopes.includes('openid')) throw new ValidationError('scopes', 'scopes must include openid');
  return OIDC_SCOPES.filter((scope) => scopes.includes(scope));
}

export interface ClientJwks {
  keys: Array<Record<string, unknown>>;
}

/**
 * A client's JWK Set for `private_key_jwt` (RFC 7523 §3), given as JSON: 1 to MAX_JWKS_KEYS public
 * signing keys, each EC P-256 or RSA of at least 2048 bits, each one `jose` imports. Any private or
 * symmetric key material is refused outright: a client that pasted its private key must learn so
 * (and rotate it), not have it stored.
 */
export async function validateClientJwks(json: string): Promise<ClientJwks> {
  if (Buffer.byteLength(json, 'utf8') > MAX_JWKS_BYTES) throw new ValidationError('jwks', `jwks must be at most ${MAX_JWKS_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ValidationError('jwks', 'jwks must be a JSON JWK Set');
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Array.isArray(keys)) {
    throw new ValidationError('jwks', 'jwks must be a JWK Set: an object with a "keys" array');
  }
  if (keys.length === 0 || keys.length > MAX_JWKS_KEYS) throw new ValidationError('jwks', `jwks must hold 1-${MAX_JWKS_KEYS} keys`);
  const checked: Array<Record<string, unknown>> = [];
  for (const [at, key] of keys.entries()) checked.push(await checkPublicSigningKey(key, at));
  return { keys: checked };
}

async function checkPublicSigningKey(key: unknown, at: number): Promise<Record<string, unknown>> {
  const refuse = (problem: string): never => {
    throw new ValidationError('jwks', `jwks key ${at} ${problem}`);
  };
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return refuse('is not a JWK object');
  const jwk = key as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) return refuse('holds private or symmetric key material: register public keys only');
  if (jwk.use !== undefined && jwk.use !== 'sig') return refuse('is not a signing key (use must be "sig")');
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.every((op) => op === 'verify'))) return refuse('key_ops must be ["verify"]');
  if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || jwk.kid.length === 0 || jwk.kid.length > 200)) return refuse('kid must be a string of 1-200 characters');
  let alg: string;
  if (jwk.kty === 'EC') {
    if (jwk.crv !== 'P-256') return refuse('must be an EC key on P-256');
    if (jwk.alg !== undefined && jwk.alg !== 'ES256') return refuse('alg must be ES256 for a P-256 key');
    alg = 'ES256';
  } else if (jwk.kty === 'RSA') {
    if (jwk.alg !== undefined && !RSA_ALGS.includes(jwk.alg as string)) return refuse(`alg must be one of ${RSA_ALGS.join(', ')} for an RSA key`);
    if (typeof jwk.n !== 'string' || modulusBits(jwk.n) < MIN_RSA_BITS) return refuse(`must be an RSA key of at least ${MIN_RSA_BITS} bits`);
    alg = (jwk.alg as string | undefined) ?? 'RS256';
  } else {
    return refuse('must be an EC (P-256) or RSA public key');
  }
  try {
    await importJWK(jwk as JWK, alg);
  } catch {
    return refuse('is not a valid public key');
  }
  return jwk;
}

/** Bits of an RSA modulus given base64url (RFC 7518 §6.3.1.1), leading zero bits not counted. */
function modulusBits(n: string): number {
  if (!/^[A-Za-z0-9_-]+$/.test(n)) return 0;
  const bytes = Buffer.from(n, 'base64url');
  const first = bytes.findIndex((b) => b !== 0);
  if (first < 0) return 0;
  return (bytes.length - first - 1) * 8 + (32 - Math.clz32(bytes[first]!));
}
