import { FieldNode, Kind, OperationDefinitionNode, parse, SelectionSetNode, valueFromASTUntyped, DocumentNode } from 'graphql';

/**
 * What a platform caller's operation names, to run it in the region holding that data (issue 18):
 * the customers it names (`customerId` arguments or input fields, the `id` or `slug` of root fields
 * about a customer) and the region a new customer is created in. A customer-bound caller needs none
 * of this: its token already belongs to one region.
 */
export interface OperationTargets {
  customerIds: string[];
  slugs: string[];
  regions: string[];
}

/** Root fields whose `id` argument is a customer's id. */
const CUSTOMER_ID_FIELDS = new Set(['customer', 'updateCustomer', 'rotateCustomerApiKey', 'moveCustomerRegion']);

/** Reads the targets of the operation a request body asks for; an unparsable body names nothing (Apollo then answers its error). */
export function operationTargets(body: unknown): OperationTargets {
  const targets: OperationTargets = { customerIds: [], slugs: [], regions: [] };
  if (typeof body !== 'object' || body === null) return targets;
  const { query, variables, operationName } = body as { query?: unknown; variables?: unknown; operationName?: unknown };
  if (typeof query !== 'string') return targets;
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true, maxTokens: 5000 });
  } catch {
    return targets;
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = typeof operationName === 'string' ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return targets;
  const vars = typeof variables === 'object' && variables !== null ? (variables as Record<string, unknown>) : {};
  for (const field of rootFields(operation.selectionSet, document, new Set())) {
    for (const arg of field.arguments ?? []) {
      const value = valueFromASTUntyped(arg.value, vars);
      const name = arg.name.value;
      if (name === 'customerId') addString(targets.customerIds, value);
      else if (name === 'id' && CUSTOMER_ID_FIELDS.has(field.name.value)) addString(targets.customerIds, value);
      else if (name === 'slug' && field.name.value === 'customer') addString(targets.slugs, value);
      else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const input = value as Record<string, unknown>;
        addString(targets.customerIds, input.customerId);
        if (field.name.value === 'createCustomer') addString(targets.regions, input.region);
      }
    }
  }
  return targets;
}

/** The operation's root fields, through fragments (each spread once). */
function* rootFields(selectionSet: SelectionSetNode, document: DocumentNode, seen: Set<string>): Generator<FieldNode> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) yield selection;
    else if (selection.kind === Kind.INLINE_FRAGMENT) yield* rootFields(selection.selectionSet, document, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      if (fragment && fragment.kind === Kind.FRAGMENT_DEFINITION) yield* rootFields(fragment.selectionSet, document, seen);
    }
  }
}

function addString(into: string[], value: unknown): void {
  if (typeof value === 'string' && value !== '' && !into.includes(value)) into.push(value);
}
