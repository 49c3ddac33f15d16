import { FieldNode, FragmentDefinitionNode, Kind, OperationDefinitionNode, parse } from 'graphql';
import { selectsField } from '../../../src/graphql/selection';

/** What graphql-js hands the resolver of the operation's first top-level field. */
function infoFor(document: string, variableValues: Record<string, unknown> = {}) {
  const parsed = parse(document);
  const operation = parsed.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    parsed.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]),
  );
  return { fieldNodes: [operation.selectionSet.selections[0] as FieldNode], fragments, variableValues };
}

const PATH = ['nodes', 'consentDecisions'];

describe('selectsField', () => {
  it.each([
    ['asked for directly', '{ profiles { nodes { id consentDecisions { id } } } }', {}],
    ['under aliases', '{ page: profiles { rows: nodes { d: consentDecisions { id } } } }', {}],
    ['through a named fragment', '{ profiles { ...Page } } fragment Page on ProfileConnection { nodes { consentDecisions { id } } }', {}],
    ['through a fragment inside a fragment', '{ profiles { nodes { ...Row } } } fragment Row on Profile { ...Consents } fragment Consents on Profile { consentDecisions { id } }', {}],
    ['through an inline fragment', '{ profiles { nodes { ... on Profile { consentDecisions { id } } } } }', {}],
    ['when @include says yes', 'query($with: Boolean!) { profiles { nodes { consentDecisions @include(if: $with) { id } } } }', { with: true }],
    ['when only one of two selections is skipped', '{ profiles { nodes { consentDecisions @skip(if: true) { id } } nodes { consentDecisions { id } } } }', {}],
  ])('finds the field %s', (_case, document, variables) => {
    expect(selectsField(infoFor(document, variables), PATH)).toBe(true);
  });

  it.each([
    ['when the rows do not ask for it', '{ profiles { nodes { id username } pageInfo { hasNextPage } } }', {}],
    ['at another depth', '{ profiles { consentDecisions { id } nodes { id } } }', {}],
    ['by an alias of that name', '{ profiles { nodes { consentDecisions: id } } }', {}],
    ['when skipped', '{ profiles { nodes { consentDecisions @skip(if: true) { id } } } }', {}],
    ['when not included, by a variable', 'query($with: Boolean!) { profiles { nodes { consentDecisions @include(if: $with) { id } } } }', { with: false }],
    ['when its parent is skipped', '{ profiles { nodes @skip(if: true) { consentDecisions { id } } } }', {}],
    ['when the fragment holding it is skipped', '{ profiles { nodes { ...Row @skip(if: true) } } } fragment Row on Profile { consentDecisions { id } }', {}],
    ['through a fragment the document does not define', '{ profiles { nodes { ...Missing } } }', {}],
  ])('does not find the field %s', (_case, document, variables) => {
    expect(selectsField(infoFor(document, variables), PATH)).toBe(false);
  });
});
