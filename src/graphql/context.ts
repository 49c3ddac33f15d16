import { GraphQLError } from 'graphql';
import { Secret } from '../config';
import { secretsEqual } from '../shared/secret-compare';
import { Logger } from '../shared/logger';
import { customerTenant, PLATFORM, Tenant } from '../shared/tenant';
import type { OperatorRole, OperatorTokenGrant } from '../operators';
import { Loaders } from './batch-loader';

/** Looks up an OAuth access token; OAuthTokenService.verifyAccessToken in the running app. */
export interface AccessTokenVerifier {
  verifyAccessToken(token: string): Promise<{ customerId: string; clientId: string; scopes: string[]; subject?: string } | null>;
}

/** Looks up an operator personal access token; OperatorTokenService.verifyOperatorToken in the running app. */
export interface OperatorTokenVerifier {
  verifyOperatorToken(token: string): Promise<OperatorTokenGrant | null>;
}

/**
 * Re-checks an operator token by its id and enters its customer, for a dashboard session (which keeps
 * the id, never the token); OperatorTokenService.enterActiveGrant in the running app.
 */
export interface SessionTokenVerifier {
  enterActiveGrant(id: string): Promise<OperatorTokenGrant | null>;
}

/**
 * Who is calling: the platform operator with the bootstrap ADMIN_TOKEN (every scope, every
 * customer); an operator token with the scopes of its role, platform-wide or for one customer; or
 * an OAuth client acting for its own customer with the scopes of its token, and, with `subject` (a
 * token from a login code), for that one user only.
 */
export type Principal =
  | { kind: 'operator'; id: 'bootstrap-admin' }
  | { kind: 'operator-token'; id: string; name: string; role: OperatorRole; scopes: readonly string[]; customerId: string | null }
  | { kind: 'client'; customerId: string; clientId: string; scopes: readonly string[]; subject?: string };

export interface GraphqlContext {
  principal: Principal;
  requestId: string;
  log: Logger;
  /** Batch loaders of this operation only (see batch-loader.ts); never shared between requests. */
  loaders: Loaders;
}

/**
 * The rows a principal may see: the operator and platform-wide operator tokens every customer's,
 * a customer-bound operator token or a client only its own customer's, and a user-bound client
 * only that user's.
 */
export function tenantOf(principal: Principal): Tenant {
  switch (principal.kind) {
    case 'operator':
      return PLATFORM;
    case 'operator-token':
      return principal.customerId === null ? PLATFORM : customerTenant(principal.customerId);
    case 'client':
      return customerTenant(principal.customerId, principal.subject);
  }
}

/** The platform operator holding the bootstrap ADMIN_TOKEN. */
export const ADMIN: Principal = Object.freeze({ kind: 'operator', id: 'bootstrap-admin' });

/** The token of `Authorization: Bearer <token>`, or undefined. */
function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer ([^\s]+)$/i.exec(authorization ?? '')?.[1];
}

/** Whether `Authorization` carries the bootstrap ADMIN_TOKEN (compared in constant time); needs no database. */
export function isAdminToken(authorization: string | undefined, adminToken: Secret): boolean {
  const presented = bearerToken(authorization);
  return presented !== undefined && secretsEqual(presented, adminToken.reveal());
}

/**
 * Reads `Authorization: Bearer <token>`: the bootstrap ADMIN_TOKEN, an active operator token
 * (`ops_…`), or else an active OAuth access token. Anything else (missing, unknown, expired,
 * revoked, disabled client) refuses the whole operation with UNAUTHENTICATED and HTTP 401,
 * without saying which.
 */
export async function authenticate(
  authorization: string | undefined,
  adminToken: Secret,
  tokens: AccessTokenVerifier,
  operatorTokens: OperatorTokenVerifier,
): Promise<Principal> {
  const presented = bearerToken(authorization);
  if (presented !== undefined) {
    if (isAdminToken(authorization, adminToken)) return ADMIN;
    const operator = await operatorTokens.verifyOperatorToken(presented);
    if (operator) return { kind: 'operator-token', ...operator };
    const grant = await tokens.verifyAccessToken(presented);
    if (grant) {
      return {
        kind: 'client',
        customerId: grant.customerId,
        clientId: grant.clientId,
        scopes: grant.scopes,
        ...(grant.subject !== undefined ? { subject: grant.subject } : {}),
      };
    }
  }
  throw new GraphQLError('missing or invalid bearer token', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } },
  });
}
