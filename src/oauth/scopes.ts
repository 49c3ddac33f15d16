/**
 * Every scope an OAuth client may hold. Scope strings are part of the public contract (clients put
 * them in requests and tokens carry them), so an entry is never renamed, only added or retired.
 */
export const OAUTH_SCOPES = [
  'customers:read',
  'customers:write',
  'requests:read',
  'consents:read',
  'consents:write',
  'profiles:read',
  'profiles:write',
  'profiles:delete',
  'audit:read',
  'webhooks:write',
  'profile.email',
  'profile.fullname',
  'profile.nickname',
  'profile.dob',
  'profile.gender',
  'profile.postcode',
  'profile.country',
  'profile.language',
  'profile.timezone',
  // Field-level, like profile.<field>: who signed in where (AuthRequest) and who agreed to what (ConsentDecision).
  'requests.personal',
  'consents.personal',
  // Field-level too: whom an audit event is about (AuditEvent.subject).
  'audit.personal',
  // A restricted person's export for their own access request (GDPR art. 15).
  'profiles:subject-access',
] as const;

/** Exports made for the person's own access request: the one way a restricted person's data leaves. */
export const PROFILES_SUBJECT_ACCESS = 'profiles:subject-access';

/** The personal fields of an authentication request: username, realm, returnTo, releasedFields. */
export const REQUESTS_PERSONAL = 'requests.personal';
/** The personal fields of a consent decision: username, realm, grantedFields. */
export const CONSENTS_PERSONAL = 'consents.personal';
/** Whom an audit event is about (its subject, and filtering by it); values also need `profile.<field>`. */
export const AUDIT_PERSONAL = 'audit.personal';

export type OAuthScope = (typeof OAUTH_SCOPES)[number];

const KNOWN = new Set<string>(OAUTH_SCOPES);

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export function isKnownScope(scope: string): scope is OAuthScope {
  return KNOWN.has(scope);
}

/** Scopes in the order of OAUTH_SCOPES, without repeats, so stored and returned lists are stable. */
export function canonicalScopes(scopes: Iterable<OAuthScope>): OAuthScope[] {
  const wanted = new Set(scopes);
  return OAUTH_SCOPES.filter((scope) => wanted.has(scope));
}

/**
 * Parses a `scope` request parameter (RFC 6749 §3.3: tokens separated by single spaces). Answers
 * null when it is malformed (empty, stray spaces, characters outside scope-token) or names a scope
 * we do not know; the token endpoint turns that into `invalid_scope`.
 */
export function parseScopeParam(value: string): OAuthScope[] | null {
  const tokens = value.split(' ');
  if (!tokens.every((token) => SCOPE_TOKEN.test(token))) return null;
  if (!tokens.every(isKnownScope)) return null;
  return canonicalScopes(tokens as OAuthScope[]);
}

/** The scope parameter of a response: space-separated (RFC 6749 §5.1). */
export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ');
}

/** True when every scope of `requested` is one of `granted`. */
export function isSubsetOf(requested: readonly string[], granted: readonly string[]): boolean {
  const allowed = new Set(granted);
  return requested.every((scope) => allowed.has(scope));
}
