import { AUDIT_PERSONAL, CONSENTS_PERSONAL, OAUTH_SCOPES, PROFILES_SUBJECT_ACCESS, REQUESTS_PERSONAL } from '../oauth';

/**
 * The pseudo-scope of operations only the platform operator may run (OAuth client management,
 * creating customers): the bootstrap ADMIN_TOKEN and platform-wide owner tokens. No OAuth token
 * can carry it: it is not in OAUTH_SCOPES.
 */
export const OPERATOR_ONLY = 'operator';

/**
 * The pseudo-scope of operator-token management (create, revoke, list). Only owners hold it; it is
 * not in OAUTH_SCOPES, so no OAuth client can ever be granted it.
 */
export const MANAGE_OPERATOR_TOKENS = 'operators:manage';

/** Operator roles. The values are stored in operator_token.role: never rename one, only add. */
export enum OperatorRole {
  OWNER = 'owner',
  ADMIN = 'admin',
  SUPPORT = 'support',
  AUDITOR = 'auditor',
  VIEWER = 'viewer',
}

const PROFILE_FIELD_SCOPES: readonly string[] = OAUTH_SCOPES.filter((scope) => scope.startsWith('profile.'));

/**
 * What each role may do, as scope sets (issue 5, item 4). The auth checker knows only scopes, so a
 * role change is a change here and nowhere else.
 */
const ROLE_SCOPES: Readonly<Record<OperatorRole, readonly string[]>> = {
  [OperatorRole.OWNER]: [...OAUTH_SCOPES, MANAGE_OPERATOR_TOKENS],
  // Configuration, profiles, deletion and access requests; not operator tokens.
  [OperatorRole.ADMIN]: [
    'customers:read', 'customers:write', 'requests:read', 'consents:read', 'consents:write',
    'profiles:read', 'profiles:write', 'profiles:delete', 'audit:read', 'webhooks:write', ...PROFILE_FIELD_SCOPES,
    REQUESTS_PERSONAL, CONSENTS_PERSONAL, PROFILES_SUBJECT_ACCESS, AUDIT_PERSONAL,
  ],
  // Reads profiles and requests and rectifies profiles; no deletion, no configuration writes.
  [OperatorRole.SUPPORT]: [
    'customers:read', 'requests:read', 'consents:read', 'profiles:read', 'profiles:write', ...PROFILE_FIELD_SCOPES, REQUESTS_PERSONAL, CONSENTS_PERSONAL,
  ],
  // Requests and audit, never a personal field: request counts and statuses, not who signed in where,
  // and audit events without whom they are about.
  [OperatorRole.AUDITOR]: ['customers:read', 'requests:read', 'audit:read'],
  // Configuration and request counts and statuses only.
  [OperatorRole.VIEWER]: ['customers:read', 'requests:read'],
};

export function isOperatorRole(value: string): value is OperatorRole {
  return (Object.values(OperatorRole) as string[]).includes(value);
}

/**
 * The scopes an operator of `role` holds. Only a platform-wide owner also gets OPERATOR_ONLY
 * (creating customers, OAuth client management): those act across customers by nature.
 */
export function scopesOfRole(role: OperatorRole, customerId: string | null): string[] {
  const scopes = [...ROLE_SCOPES[role]];
  if (role === OperatorRole.OWNER && customerId === null) scopes.push(OPERATOR_ONLY);
  return scopes;
}
