/**
 * Type-level test of the SDK: compiled with `tsc --noEmit` (clients/typescript/test/tsconfig.json,
 * run by test/unit/clients/types.test.ts and by `npm run typecheck`), never executed. Every
 * `@ts-expect-error` line must fail to compile, or the build fails.
 */
import {
  AuditEventsDocument,
  createClient,
  GraphqlRequestError,
  MeDocument,
  ProfileContactsDocument,
  UpdateProfileDocument,
  type ActorKind,
} from '../src';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<_ extends true>(): void {}

const client = createClient({ url: 'http://127.0.0.1:3000/graphql', token: 'token' });

export async function resultTypesAreInferred() {
  const data = await client.request(ProfileContactsDocument, { first: 10 });
  const first = data.profiles.nodes[0]!;
  expectType<Equal<typeof first.email, string | null>>();
  expectType<Equal<typeof first.id, string>>();
  expectType<Equal<typeof data.profiles.pageInfo.endCursor, string | null>>();

  // @ts-expect-error a wrong field name: there is no `emial`
  void first.emial;
  // @ts-expect-error a real Profile field the document does not select
  void first.nickname;

  const { me } = await client.request(MeDocument); // no variables to give
  expectType<Equal<typeof me.scopes, Array<string>>>();
  return me.kind;
}

export async function variablesAreChecked() {
  // @ts-expect-error `first` is required
  await client.request(ProfileContactsDocument, {});
  // @ts-expect-error `first` is an Int
  await client.request(ProfileContactsDocument, { first: '10' });
  // @ts-expect-error an unknown variable
  await client.request(ProfileContactsDocument, { first: 10, frist: 10 });
  // @ts-expect-error the variables of a document with required ones cannot be left out
  await client.request(UpdateProfileDocument);
}

export async function errorsAreADiscriminatedUnion() {
  const result = await client.execute(UpdateProfileDocument, { id: 'p1', input: { email: 'a@example.org' } });
  expectType<Equal<NonNullable<typeof result.data>['updateProfile']['profile']['email'], string | null>>();
  for (const error of result.errors) {
    switch (error.code) {
      case 'FORBIDDEN':
        expectType<Equal<typeof error.missingScopes, readonly string[]>>();
        break;
      case 'BAD_USER_INPUT':
        expectType<Equal<typeof error.field, string | null>>();
        break;
      case 'UNKNOWN':
        expectType<Equal<typeof error.serverCode, string | null>>();
        break;
    }
    // @ts-expect-error only BAD_USER_INPUT and CONFLICT name a field; narrow by code first
    void error.field;
    // @ts-expect-error not one of our codes
    if (error.code === 'PERMISSION_DENIED') return;
  }
  try {
    await client.request(MeDocument);
  } catch (err) {
    if (err instanceof GraphqlRequestError && err.has('FORBIDDEN')) return;
  }
}

export async function paginationYieldsTypedNodes() {
  for await (const event of client.paginate(AuditEventsDocument, { first: 50, filter: { subject: 'alice' } }, (d) => d.auditEvents)) {
    expectType<Equal<typeof event.actorKind, ActorKind>>();
    // @ts-expect-error a wrong field name on the node
    void event.actoor;
  }
  // @ts-expect-error the selector must return a connection of this document
  client.paginate(AuditEventsDocument, { first: 50 }, (d) => d.auditEvents.nodes);
}
