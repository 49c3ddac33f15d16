import { defaultFieldResolver, GraphQLFieldResolver, GraphQLObjectType, GraphQLSchema } from 'graphql';
import { AuthChecker, Extensions } from 'type-graphql';
import { DomainError } from '../shared/errors';
import { OPERATOR_ONLY } from '../operators';
import { GraphqlContext, Principal } from './context';

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
 * type-graphql's hook behind every `@Authorized(...scopes)` on an operation: all listed scopes are
 * needed. Throwing (rather than answering false) puts our FORBIDDEN at the operation's path.
 */
export const authChecker: AuthChecker<GraphqlContext> = ({ context }, scopes) => {
  requireScopes(context.principal, scopes);
  return true;
};

/** Where `RequiresScopes` leaves its scopes on a field, for `guardScopedFields`. */
const REQUIRED_SCOPES = 'requiredScopes';

/**
 * A field of an object type that needs every one of `scopes` (a personal field, a list under a
 * row): without them the field is FORBIDDEN at its path and null there (a nullable field) while the
 * rest of the response resolves, as `@Authorized` would do. Use it instead of `@Authorized` on
 * anything but a query or mutation: `@Authorized` runs type-graphql's async middleware for every
 * value of the field (a page of 100 rows asking for 5 scoped fields ran 500), where this is checked
 * once per field per operation (`guardScopedFields`) and the value then resolves synchronously. It
 * also holds on an object type with `simpleResolvers`, which skips every type-graphql middleware.
 */
export function RequiresScopes(...scopes: string[]): MethodDecorator & PropertyDecorator {
  return Extensions({ [REQUIRED_SCOPES]: scopes });
}

/**
 * Puts the check of `RequiresScopes` in front of each field that has it, in the built schema. What
 * a caller lacks for a field is worked out the first time the field resolves in an operation and
 * remembered for that operation (keyed by its context object), so every later row costs a lookup.
 */
export function guardScopedFields(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const scopes = field.extensions[REQUIRED_SCOPES] as readonly string[] | undefined;
      if (scopes === undefined) continue;
      const coordinate = `${type.name}.${field.name}`;
      const resolve: GraphQLFieldResolver<unknown, GraphqlContext> = field.resolve ?? defaultFieldResolver;
      field.resolve = (root, args, context: GraphqlContext, info) => {
        const missing = missingForOperation(context, coordinate, scopes);
        if (missing.length > 0) throw new ForbiddenError(missing);
        return resolve(root, args, context, info);
      };
    }
  }
  return schema;
}

/** Per operation (its context object), what the caller lacks for each guarded field already asked for. */
const missingByOperation = new WeakMap<GraphqlContext, Map<string, readonly string[]>>();

function missingForOperation(context: GraphqlContext, coordinate: string, scopes: readonly string[]): readonly string[] {
  let known = missingByOperation.get(context);
  if (!known) missingByOperation.set(context, (known = new Map()));
  let missing = known.get(coordinate);
  if (!missing) known.set(coordinate, (missing = missingScopes(context.principal, scopes)));
  return missing;
}
