import {
  ASTVisitor,
  FieldNode,
  getNamedType,
  GraphQLError,
  GraphQLNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValidationContext,
  ValidationRule,
} from 'graphql';
import { MAX_PAGE_SIZE } from '../shared/pagination';

export interface InputLimits {
  maxDepth: number;
  maxAliases: number;
  maxComplexity: number;
}

/** What one operation adds up to, fragments expanded. */
export interface OperationMeasure {
  depth: number;
  aliases: number;
  complexity: number;
}

/**
 * graphql-js validation rules for the size of an operation. They run before execution, so an
 * operation over a limit is refused whole (Apollo answers GRAPHQL_VALIDATION_FAILED, HTTP 400)
 * and no resolver runs, not even part of a mutation.
 *
 * Apollo caches validation per query text, so the rules cannot look at variable values: a `first`
 * given by a variable counts as the variable's default, or the largest page when it has none.
 */
export function inputLimitRules(limits: InputLimits): ValidationRule[] {
  return [
    (context: ValidationContext): ASTVisitor => ({
      OperationDefinition(operation: OperationDefinitionNode) {
        const measure = measureOperation(context, operation);
        const over: Array<[string, number, number]> = [
          ['depth', measure.depth, limits.maxDepth],
          ['aliases', measure.aliases, limits.maxAliases],
          ['complexity', measure.complexity, limits.maxComplexity],
        ];
        for (const [what, actual, limit] of over) {
          if (actual > limit) {
            context.reportError(
              new GraphQLError(`operation ${what} ${actual} exceeds the limit of ${limit}`, {
                nodes: [operation],
                extensions: { limit: what, actual, maximum: limit },
              }),
            );
          }
        }
      },
    }),
  ];
}

/** Depth, alias count and cost of `operation`. */
function measureOperation(context: ValidationContext, operation: OperationDefinitionNode): OperationMeasure {
  const schema = context.getSchema();
  const root = schema.getRootType(operation.operation) ?? undefined;
  const variableDefaults = new Map<string, number>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue?.kind === Kind.INT) variableDefaults.set(definition.variable.name.value, Number(definition.defaultValue.value));
  }
  let aliases = 0;

  /** Walks one selection set; `expanding` guards against fragment cycles (another rule reports those). */
  const walk = (selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined, expanding: Set<string>): { depth: number; cost: number } => {
    let depth = 0;
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) aliases += 1;
        // Introspection is off in production and has its own shape; only API fields count.
        if (selection.name.value.startsWith('__')) continue;
        const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
        const below = selection.selectionSet ? walk(selection.selectionSet, field ? getNamedType(field.type) : undefined, expanding) : { depth: 0, cost: 0 };
        depth = Math.max(depth, 1 + below.depth);
        cost += 1 + pageSize(selection, field?.args.find((arg) => arg.name === 'first')?.defaultValue) * below.cost;
      } else {
        let fragmentSet: SelectionSetNode | undefined;
        let typeName: string | undefined;
        if (selection.kind === Kind.INLINE_FRAGMENT) {
          fragmentSet = selection.selectionSet;
          typeName = selection.typeCondition?.name.value;
        } else {
          const name = selection.name.value;
          const fragment = expanding.has(name) ? undefined : context.getFragment(name);
          if (!fragment) continue;
          fragmentSet = fragment.selectionSet;
          typeName = fragment.typeCondition.name.value;
          expanding = new Set([...expanding, name]);
        }
        const below = walk(fragmentSet, typeName ? schema.getType(typeName) : parent, expanding);
        depth = Math.max(depth, below.depth);
        cost += below.cost;
      }
    }
    return { depth, cost };
  };

  /** How many times a list field's children count: its `first` (literal, variable default, or schema default). */
  const pageSize = (node: FieldNode, schemaDefault: unknown): number => {
    const arg = node.arguments?.find((a) => a.name.value === 'first');
    if (!arg) return typeof schemaDefault === 'number' ? schemaDefault : 1;
    if (arg.value.kind === Kind.INT) return Math.max(1, Number(arg.value.value));
    if (arg.value.kind === Kind.VARIABLE) return variableDefaults.get(arg.value.name.value) ?? MAX_PAGE_SIZE;
    return 1;
  };

  const { depth, cost } = walk(operation.selectionSet, root, new Set());
  return { depth, aliases, complexity: cost };
}
