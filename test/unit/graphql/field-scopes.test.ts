import 'reflect-metadata';
import { execute, GraphQLSchema, parse } from 'graphql';
import { buildSchema, Field, FieldResolver, getMetadataStorage, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { authChecker, guardScopedFields, RequiresScopes } from '../../../src/graphql/auth-checker';
import { Loaders } from '../../../src/graphql/batch-loader';
import type { GraphqlContext, Principal } from '../../../src/graphql/context';
import { resolverClasses } from '../../../src/graphql/build-schema';

@ObjectType('ScopedRow')
class Row {
  @Field(() => String)
  id!: string;

  @RequiresScopes('profile.email')
  @Field(() => String, { nullable: true })
  email!: string | null;
}

let notesRead = 0;

@Resolver(() => Row)
class RowResolver {
  @Query(() => [Row])
  rows(): Row[] {
    return ['a', 'b', 'c'].map((id) => Object.assign(new Row(), { id, email: `${id}@example.org` }));
  }

  @RequiresScopes('consents:read', 'consents.personal')
  @FieldResolver(() => String, { nullable: true })
  note(@Root() row: Row): string {
    notesRead += 1;
    return `note of ${row.id}`;
  }
}

/** A client holding `scopes`, counting how often anyone asks whether it holds one. */
function client(scopes: string[]): { principal: Principal; asked: () => number } {
  let asked = 0;
  const held = Object.assign([...scopes], {
    includes(scope: string) {
      asked += 1;
      return scopes.includes(scope);
    },
  });
  return { principal: { kind: 'client', customerId: 'c', clientId: 'reporting', scopes: held }, asked: () => asked };
}

describe('RequiresScopes', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = guardScopedFields(await buildSchema({ resolvers: [RowResolver], authChecker, validate: false }));
  });
  beforeEach(() => {
    notesRead = 0;
  });

  async function run(query: string, principal: Principal) {
    const contextValue: GraphqlContext = { principal, requestId: 'test', log: undefined as never, loaders: new Loaders() };
    const result = await execute({ schema, document: parse(query), contextValue });
    return { data: result.data, errors: (result.errors ?? []).map((e) => ({ path: e.path, code: (e.originalError as { code?: string } | undefined)?.code, message: e.message })) };
  }

  it('gives each row FORBIDDEN at its own path and null there without the scope, while the other fields resolve', async () => {
    const { data, errors } = await run('{ rows { id email } }', client(['profiles:read']).principal);
    expect(data).toEqual({ rows: [{ id: 'a', email: null }, { id: 'b', email: null }, { id: 'c', email: null }] });
    expect(errors).toEqual([0, 1, 2].map((i) => ({ path: ['rows', i, 'email'], code: 'FORBIDDEN', message: 'this operation needs the scope profile.email' })));
  });

  it('resolves the field for a caller holding the scope', async () => {
    const { data, errors } = await run('{ rows { id email } }', client(['profile.email']).principal);
    expect(errors).toEqual([]);
    expect(data).toEqual({ rows: ['a', 'b', 'c'].map((id) => ({ id, email: `${id}@example.org` })) });
  });

  it('checks a field resolver before running it, and names every scope missing', async () => {
    const { data, errors } = await run('{ rows { note } }', client(['consents:read']).principal);
    expect(notesRead).toBe(0);
    expect(data).toEqual({ rows: [{ note: null }, { note: null }, { note: null }] });
    expect(errors[0]).toEqual({ path: ['rows', 0, 'note'], code: 'FORBIDDEN', message: 'this operation needs the scope consents.personal' });
    const allowed = await run('{ rows { note } }', client(['consents:read', 'consents.personal']).principal);
    expect(allowed.data).toEqual({ rows: ['a', 'b', 'c'].map((id) => ({ note: `note of ${id}` })) });
  });

  it('works out what the caller lacks once per field per operation, not once per row', async () => {
    const caller = client(['profile.email']);
    await run('{ rows { id email } }', caller.principal);
    expect(caller.asked()).toBe(1);
    // Another operation by the same caller asks again: nothing is remembered beyond one operation.
    await run('{ rows { email also: email } }', caller.principal);
    expect(caller.asked()).toBe(2);
  });

  it('lets the bootstrap operator read every scoped field', async () => {
    const { data, errors } = await run('{ rows { email note } }', { kind: 'operator', id: 'bootstrap-admin' });
    expect(errors).toEqual([]);
    expect(data?.rows).toHaveLength(3);
  });

  it('is what every field of the API uses: @Authorized sits on queries and mutations only', () => {
    // Object types may use simpleResolvers (no middleware stack), which would skip an @Authorized field silently.
    expect(resolverClasses.length).toBeGreaterThan(0);
    const storage = getMetadataStorage();
    const operations = new Set([...storage.queries, ...storage.mutations, ...storage.subscriptions].map((op) => `${op.target.name}.${op.methodName}`));
    const onFields = storage.authorizedFields.map((field) => `${field.target.name}.${field.fieldName}`).filter((name) => !operations.has(name));
    expect(onFields).toEqual([]);
  });
});
