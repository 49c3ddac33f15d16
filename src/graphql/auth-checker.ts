import { AuthChecker } from 'type-graphql';
import { DomainError } from '../shared/errors';
import { GraphqlContext, Principal } from './context';

/**
 * The pseudo-scope of operations only the platform operator may run (OAuth client management,
 * creating customers): the bootstrap ADMIN_TOKEN and platform-wide owner tokens. No OAuth token
 * can carry it: it is not in OAUTH_SCOPES.
 */
export const OPERATOR_ONLY = 'operator';

/** A caller that is authenticated but lacks a scope; formatError turns the code into extensions.code. */
export class ForbiddenError extends DomainError {
  constructor(missing: readonly string[]) {
    super('FORBIDDEN', `this operation needs the scope ${missing.join(' ')}`, { missingScopes: [...missing] });
  }
}

/**
 * The scopes of `required` that `principal` lacks. The bootstrap operator lacks none; an operator
 * token lacks what its role does not hold (only a platform-wide owner holds OPERATOR_ONLY); a
 * client always lacks OPERATOR_ONLY.
 */
export function missingScopes(principal: Principal, required: readonly string[]): string[] {
  if (principal.kind === 'operator') return [];
  if (principal.kind === 'operator-token') return required.filter((scope) => !principal.scopes.includes(scope));
  return required.filter((scope) => scope === OPERATOR_ONLY || !principal.scopes.includes(scope));
}

/** Throws FORBIDDEN unless `principal` holds every scope of `required`. */
export function requireScopes(principal: Principal, required: readonly string[]): void {
  const missing = missingScopes(principal, required);
  if (missing.length > 0) throw new ForbiddenError(missing);
}

/**
 * type-graphql's hook behind every `@Authorized(...scopes)`, on operations and on personal fields
 * alike: all listed scopes are needed. Throwing (rather than answering false) puts our FORBIDDEN
 * at the field's path; a nullable field then resolves to null and the rest of the response stays.
 */
export const authChecker: AuthChecker<GraphqlContext> = ({ context }, scopes) => {
  requireScopes(context.principal, scopes);
  return true;
};
