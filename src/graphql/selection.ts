import { FieldNode, getDirectiveValues, GraphQLIncludeDirective, GraphQLResolveInfo, GraphQLSkipDirective, Kind, SelectionSetNode } from 'graphql';

/**
 * Whether the operation asks, under the field being resolved, for the field at `path` (field
 * names, not aliases: `['nodes', 'consentDecisions']`), through fragments and inline fragments
 * alike, leaving out what `@skip` or `@include` turn off. Lets a list's resolver load what every
 * row will need in one go, before graphql-js walks the rows.
 */
export function selectsField(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'variableValues'>, path: readonly string[]): boolean {
  const included = (node: Parameters<typeof getDirectiveValues>[1]) =>
    getDirectiveValues(GraphQLSkipDirective, node, info.variableValues)?.if !== true &&
    getDirectiveValues(GraphQLIncludeDirective, node, info.variableValues)?.if !== false;

  const within = (selectionSet: SelectionSetNode | undefined, depth: number): boolean =>
    selectionSet !== undefined &&
    selectionSet.selections.some((selection) => {
      if (!included(selection)) return false;
      switch (selection.kind) {
        case Kind.FIELD:
          return selection.name.value === path[depth] && (depth === path.length - 1 || within(selection.selectionSet, depth + 1));
        case Kind.INLINE_FRAGMENT:
          return within(selection.selectionSet, depth);
        case Kind.FRAGMENT_SPREAD:
          return within(info.fragments[selection.name.value]?.selectionSet, depth);
      }
    });

  return path.length > 0 && info.fieldNodes.some((node: FieldNode) => within(node.selectionSet, 0));
}
