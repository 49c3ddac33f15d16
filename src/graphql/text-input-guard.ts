import { ApolloServerPlugin } from '@apollo/server';
import { ASTNode, GraphQLError, visit } from 'graphql';

/**
 * C0 and C1 control characters, DEL and NUL: PostgreSQL cannot store NUL in text at all, and the
 * others have no place in names, usernames, addresses or filters. Tab, line feed and carriage
 * return stay allowed (free text may span lines).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/**
 * Refuses, before anything executes, an operation with a control character in any text it
 * carries, whether in its variables or written inline in the document: `BAD_USER_INPUT` naming
 * the argument or variable, HTTP 400, nothing read or written. Without it a NUL reaches PostgreSQL,
 * which fails the statement (an internal error) with the personal value inside its message.
 */
export function textInputGuard<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const where = findInVariables(request.variables ?? {}, '$') ?? findInDocument(document);
          if (!where) return;
          throw new GraphQLError(`${where} contains a control character (such as NUL); text may hold printable characters, tabs and line breaks only`, {
            extensions: { code: 'BAD_USER_INPUT', field: where, http: { status: 400 } },
          });
        },
      };
    },
  };
}

/** The path of the first variable value (at any depth) holding a control character. */
function findInVariables(value: unknown, path: string): string | null {
  if (typeof value === 'string') return CONTROL.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findInVariables(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      // A key is text too (an input object's field name must match the schema, but check anyway).
      if (CONTROL.test(key)) return path;
      const found = findInVariables(inner, path === '$' ? `$${key}` : `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

/** The argument (or input field) name of the first inline string literal holding a control character. */
function findInDocument(document: ASTNode): string | null {
  const names: string[] = [];
  let found: string | null = null;
  visit(document, {
    Argument: { enter: (node) => void names.push(node.name.value), leave: () => void names.pop() },
    ObjectField: { enter: (node) => void names.push(node.name.value), leave: () => void names.pop() },
    StringValue(node) {
      if (found === null && CONTROL.test(node.value)) found = names.join('.') || 'a string literal';
    },
  });
  return found;
}
